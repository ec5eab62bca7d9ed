"""The unit tree: subtree paths, moving, closing and merging without losing history."""
from datetime import date

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.org import queries, services
from lms.org.models import Staff, StaffPosting, Unit
from lms.scope import Scope


def unit(db, code):
    return db.session.execute(select(Unit).where(Unit.code == code)).scalar_one()


def test_demo_has_hanoi_2016_structure(demo, db):
    districts = db.session.execute(select(Unit).where(Unit.parent_id == unit(db, "HN").id, Unit.kind.in_(["urban_district", "rural_district", "town"]))).scalars().all()
    assert len(districts) == 30
    assert sum(d.kind == "urban_district" for d in districts) == 12
    assert sum(d.kind == "rural_district" for d in districts) == 17
    assert len(queries.children(unit(db, "LB").id)) >= 14
    assert len([u for u in queries.children(unit(db, "NTL").id) if u.kind == "ward"]) == 10
    gia_lam = queries.children(unit(db, "GL").id)
    assert len([u for u in gia_lam if u.kind in ("commune", "township")]) == 22


def test_subtree_scope_is_a_path_prefix(demo, db):
    long_bien = unit(db, "LB")
    scope = Scope([long_bien.path])
    inside = queries.units_in_scope(scope)
    assert unit(db, "LB-BODE") in inside and unit(db, "LB-TH-BODE") in inside  # school under the district office
    assert unit(db, "HK-HANGBAC") not in inside and unit(db, "HN") not in inside


def test_moving_a_unit_rewrites_its_subtree_paths(demo, db):
    office = unit(db, "LB-PGDDT")
    school = unit(db, "LB-TH-BODE")
    services.move_unit(office, unit(db, "GL"))
    db.session.commit()
    school = unit(db, "LB-TH-BODE")
    assert school.path.startswith(unit(db, "GL").path)
    assert school.path == f"{unit(db, 'GL').path}{office.id}/{school.id}/"


def test_a_unit_cannot_move_under_itself(demo, db):
    with pytest.raises(services.OrgError):
        services.move_unit(unit(db, "LB"), unit(db, "LB-BODE"))


def test_merge_moves_staff_and_keeps_history(demo, app, db):
    source, target = unit(db, "LB-NGOCLAM"), unit(db, "LB-BODE")
    people = db.session.execute(select(Staff).where(Staff.unit_id == source.id)).scalars().all()
    assert people
    with app.test_request_context():
        services.merge_unit(source, target, date(2025, 7, 1), "Nghị quyết sắp xếp đơn vị hành chính")
        db.session.commit()
    source = unit(db, "LB-NGOCLAM")
    assert source.status == "merged" and source.merged_into.code == "LB-BODE" and source.closed_on == date(2025, 7, 1)
    for person in people:
        db.session.refresh(person)
        assert person.unit_id == target.id
        postings = db.session.execute(select(StaffPosting).where(StaffPosting.staff_id == person.id).order_by(StaffPosting.id)).scalars().all()
        assert [p.unit_id for p in postings] == [source.id, target.id]
        assert postings[0].ended_at is not None and postings[1].ended_at is None
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "unit.merge")).scalar_one().details["staff_moved"] == len(people)


def test_closed_unit_keeps_its_staff_and_refuses_new_imports(demo, app, db):
    from lms.org.imports import import_staff

    ward = unit(db, "HK-HANGBAC")
    with app.test_request_context():
        services.close_unit(ward, date(2025, 7, 1), "Giải thể")
        db.session.commit()
    assert db.session.execute(select(Staff).where(Staff.unit_id == ward.id)).first() is not None
    content = "Họ và tên,Số CCCD,Mã đơn vị\nTrần Văn Bình,001090123456,HK-HANGBAC\n".encode()
    with app.test_request_context():
        report = import_staff("x.csv", content, Scope((), everything=True), apply=True)
    assert not report.ok and "không còn hoạt động" in report.errors[0].message
