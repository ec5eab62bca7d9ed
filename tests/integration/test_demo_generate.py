"""`flask --app wsgi demo generate`: the synthetic population for report benchmarks, small."""
import hashlib
import re

import yaml
from sqlalchemy import func, select, text

from lms.auth.models import User
from lms.catalogue.models import Title
from lms.certificates.issuance import pending_in_session
from lms.certificates.models import Certificate, CertificateBasis, CertificateCounter
from lms.certificates.rules import Rule, decide
from lms.certificates.sittings import sittings_of_session
from lms.courses.loader import load_course_content
from lms.courses.models import Lesson, LessonProgress
from lms.demo import generate
from lms.exams.models import BlueprintPart, ExamAttempt, ExamCandidate, ExamSession
from lms.exams.result_models import ModuleResult, StaffModuleResult
from lms.extensions import db
from lms.org.models import Staff, StaffPosting, Unit
from lms.scope import Scope

STAFF, ATTEMPTS = 300, 1500
ARGS = ["demo", "generate", "--staff", str(STAFF), "--attempts", str(ATTEMPTS)]
COMMUNE_KINDS = ("ward", "commune", "township")

# Every fact is the best passing module result of a graded, passed attempt of the person
# (best score, then earliest, then lowest id), and there is no other fact.
BEST_RESULTS = """
WITH ranked AS (
    SELECT c.staff_id, r.module_id, r.score, a.submitted_at AS achieved_at, a.id AS attempt_id,
           ROW_NUMBER() OVER (PARTITION BY c.staff_id, r.module_id ORDER BY r.score DESC, a.submitted_at, a.id) AS position
    FROM exam_module_result r JOIN exam_attempt a ON a.id = r.attempt_id JOIN exam_candidate c ON c.id = a.candidate_id
    WHERE r.passed = :yes AND a.passed = :yes AND a.state = 'graded'),
best AS (SELECT staff_id, module_id, score, achieved_at, attempt_id FROM ranked WHERE position = 1),
facts AS (SELECT staff_id, module_id, score, achieved_at, attempt_id FROM staff_module_result)
SELECT (SELECT COUNT(*) FROM (SELECT * FROM best EXCEPT SELECT * FROM facts) missing),
       (SELECT COUNT(*) FROM (SELECT * FROM facts EXCEPT SELECT * FROM best) extra)
"""


def invoke(runner, args):
    result = runner.invoke(args=args)
    db.session.commit()  # the command wrote through a session of its own: end this one's snapshot
    return result


def count(model):
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def counts():
    return {model.__tablename__: count(model) for model in (Unit, Staff, StaffPosting, User, ExamSession, ExamCandidate, ExamAttempt,
                                                             ModuleResult, StaffModuleResult, Certificate, CertificateBasis, LessonProgress)}


def fingerprint():
    """The generated data without its ids: the same seed and arguments must give the same."""
    rows = [
        db.session.execute(select(Staff.id_number, Staff.full_name, Staff.birth_date, Staff.status, Unit.code)
                           .join(Unit, Unit.id == Staff.unit_id).order_by(Staff.id_number)).all(),
        db.session.execute(select(Staff.id_number, ExamSession.name, BlueprintPart.kind, ExamAttempt.number, ExamAttempt.score,
                                  ExamAttempt.submitted_at)
                           .join(ExamCandidate, ExamCandidate.staff_id == Staff.id).join(ExamSession, ExamSession.id == ExamCandidate.session_id)
                           .join(ExamAttempt, ExamAttempt.candidate_id == ExamCandidate.id)
                           .join(BlueprintPart, BlueprintPart.id == ExamAttempt.part_id)
                           .order_by(Staff.id_number, ExamSession.name, BlueprintPart.kind, ExamAttempt.number)).all(),
        db.session.execute(select(Certificate.serial, Certificate.register_number, Certificate.status_index, Certificate.code,
                                  Certificate.holder_name).order_by(Certificate.serial)).all(),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def empty_database():
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("TRUNCATE " + ", ".join(f'"{table.name}"' for table in tables) + " RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


def check_register():
    """Each year's register numbered 1..n without a gap, the status bits 0..n-1, the counters
    where the next real issue will continue, serials by the rule's pattern."""
    certificates = db.session.execute(select(Certificate)).scalars().all()
    by_year = {}
    for certificate in certificates:
        by_year.setdefault(certificate.issue_year, []).append(certificate.register_seq)
        assert certificate.register_number == f"{certificate.register_seq:04d}/{certificate.issue_year}"
        prefix = "CB" if certificate.kind == "basic" else "NC"
        assert certificate.serial == f"{prefix}{certificate.issue_year % 100:02d}{certificate.register_seq:06d}"
        assert certificate.issue_date.year == certificate.issue_year and re.fullmatch(r"[A-Z2-7]{24}", certificate.code)
    counters = dict(db.session.execute(select(CertificateCounter.name, CertificateCounter.value)).all())
    for year, numbers in by_year.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
        assert counters[f"register:{year}"] == len(numbers)
    assert sorted(c.status_index for c in certificates) == list(range(len(certificates)))
    assert counters["status-list"] == len(certificates)
    assert len({c.serial for c in certificates}) == len({c.code for c in certificates}) == len(certificates)


def check_certificates_follow_the_rules(sample=60):
    """The app's own rules agree: nothing left to issue, and each certificate's sitting qualifies
    for its rule with the modules it names."""
    certificates = {(c.candidate_id, c.rule_id): c for c in db.session.execute(select(Certificate)).scalars()}
    rules = {certificate.rule_id: Rule.of(certificate.rule) for certificate in certificates.values()}
    sessions = db.session.execute(select(ExamSession).where(ExamSession.id.in_(select(ExamCandidate.session_id)))
                                  .order_by(ExamSession.id)).scalars().all()
    for session in sessions[:sample]:
        assert pending_in_session(session, Scope.city()) == []
        for candidate_id, record in sittings_of_session(session, Scope.city()).items():
            for rule_id, rule in rules.items():
                if (candidate_id, rule_id) in certificates:
                    decision = decide(rule, record.sitting)
                    assert decision.qualifies, decision
                    assert list(decision.modules) == [code for code, _name, _score in certificates[(candidate_id, rule_id)].result["modules"]]


def test_generates_the_city_and_the_people(runner):
    result = invoke(runner, ARGS)
    assert result.exit_code == 0, result.output
    assert f"{STAFF} cán bộ" in result.output and f"{ATTEMPTS} lượt thi" in result.output

    units = db.session.execute(select(Unit)).scalars().all()
    by_id = {unit.id: unit for unit in units}
    for unit in units:  # materialised paths: the parent's path and the unit's id
        assert unit.path == (by_id[unit.parent_id].path if unit.parent_id else "/") + f"{unit.id}/"
    districts = [unit for unit in units if unit.kind in ("urban_district", "rural_district", "town")]
    assert len(districts) == 30
    communes = [unit for unit in units if unit.kind in COMMUNE_KINDS]
    assert len(communes) == 584 and {by_id[unit.parent_id].kind for unit in communes} <= {d.kind for d in districts}
    names = {unit.code: unit.name for unit in units}
    assert names["LB-BODE"] == "Phường Bồ Đề" and names["GL-TTTRAUQUY"] == "Thị trấn Trâu Quỳ" and names["BD-P03"] == "Phường 3"
    assert names["LB-TH-BODE"] == "Trường Tiểu học Bồ Đề" and names["BV-PTCKH"] == "Phòng Tài chính – Kế hoạch huyện Ba Vì"
    # Three per commune, a THPT per district, and the seed's schools that are not a commune's.
    assert sum(unit.kind == "school" for unit in units) == 3 * 584 + 30 + 3

    assert count(Staff) == STAFF and count(ExamAttempt) == ATTEMPTS
    shipped = {entry["code"] for entry in yaml.safe_load(open("lms/catalogue/titles.yaml", encoding="utf-8"))["titles"]}
    placed = db.session.execute(select(Title.code, Unit.kind).join(Staff, Staff.title_id == Title.id)
                                .join(Unit, Unit.id == Staff.unit_id).distinct()).all()
    assert {code for code, _kind in placed} <= shipped
    for code, kind in placed:  # teachers in schools, commune officials in communes
        assert (kind == "school") == code.startswith("GV-") and (kind in COMMUNE_KINDS) == code.startswith(("CC-", "CB-"))
    assert db.session.execute(select(func.count(func.distinct(Staff.id_number)))).scalar_one() == STAFF

    current = db.session.execute(select(func.count()).where(StaffPosting.ended_at.is_(None))).scalar_one()
    left = db.session.execute(select(func.count()).where(Staff.status == "left")).scalar_one()
    assert current == STAFF - left and count(StaffPosting) >= STAFF
    assert 0.45 * STAFF < count(User) < 0.75 * STAFF
    assert db.session.execute(select(func.count()).select_from(User).join(Staff, Staff.id == User.staff_id)
                              .where(User.username != Staff.id_number)).scalar_one() == 0

    failed = db.session.execute(select(func.count()).where(ExamAttempt.passed.is_(False))).scalar_one()
    assert 0.2 * ATTEMPTS < failed < 0.4 * ATTEMPTS
    assert db.session.execute(text(BEST_RESULTS), {"yes": True}).one() == (0, 0)
    assert count(StaffModuleResult) > 0 and count(Certificate) > 0
    check_register()
    check_certificates_follow_the_rules()

    before = counts()
    again = invoke(runner, ARGS)  # the same command again: everything is there already
    assert again.exit_code == 0, again.output
    assert "đã thêm 0 đơn vị, 0 kỳ thi, 0 cán bộ" in again.output
    assert counts() == before


def test_an_interrupted_run_completes_to_the_same_data(runner, monkeypatch):
    real = generate.make_batch
    calls = []

    def dies_after_the_first_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(generate, "make_batch", dies_after_the_first_batch)
    killed = invoke(runner, ARGS + ["--batch", "100"])
    assert killed.exit_code != 0 and str(killed.exception) == "killed"
    assert count(Staff) == 100  # the first batch was committed, the second rolled back
    monkeypatch.setattr(generate, "make_batch", real)

    resumed = invoke(runner, ARGS + ["--batch", "100"])
    assert resumed.exit_code == 0, resumed.output
    assert count(Staff) == STAFF and count(ExamAttempt) == ATTEMPTS
    assert db.session.execute(text(BEST_RESULTS), {"yes": True}).one() == (0, 0)
    check_register()
    after_resume, resumed_data = counts(), fingerprint()

    empty_database()
    clean = invoke(runner, ARGS)  # in one go, with the default batch size
    assert clean.exit_code == 0, clean.output
    assert counts() == after_resume and fingerprint() == resumed_data


def test_adds_to_the_demo_seed(demo, runner):
    load_course_content()
    db.session.commit()
    seeded = {code for code in db.session.execute(select(Unit.code)).scalars()}
    seeded_staff = count(Staff)
    result = invoke(runner, ["demo", "generate", "--staff", "200", "--attempts", "800", "--seed", "7"])
    assert result.exit_code == 0, result.output

    assert count(Staff) == seeded_staff + 200 and count(ExamAttempt) == 800
    codes = db.session.execute(select(Unit.code)).scalars().all()
    assert seeded <= set(codes) and len(codes) == len(set(codes))
    # The seed's school of Bồ Đề is the ward's primary school, not a second one.
    assert db.session.execute(select(func.count()).where(Unit.name == "Trường Tiểu học Bồ Đề")).scalar_one() == 1
    assert db.session.execute(select(func.count()).where(Unit.kind.in_(COMMUNE_KINDS))).scalar_one() == 584
    # Lessons only for generated accounts, on published lessons.
    progress = db.session.execute(select(User.username, Lesson.published).join(LessonProgress, LessonProgress.user_id == User.id)
                                  .join(Lesson, Lesson.id == LessonProgress.lesson_id)).all()
    assert progress and all(published and re.fullmatch(r"\d{12}", username) for username, published in progress)
    assert db.session.execute(text(BEST_RESULTS), {"yes": True}).one() == (0, 0)
    check_register()  # the seed issues none; the generated ones start each register at 1
