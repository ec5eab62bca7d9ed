"""Demo data: Hanoi's 2016 structure, a few dozen staff across every title, the demo accounts.

Staff are fictional (names, dates and ID numbers drawn from a fixed seed); units are real.
"""
import random
import re
import unicodedata
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy import select

from lms.auth.services import create_user, find_user
from lms.catalogue.loader import load_catalogues
from lms.catalogue.models import EmulationBloc, Title
from lms.courses.seed import seed_courses
from lms.demo.finished_exam import seed_finished_session
from lms.exams.design import seed_exam_demo
from lms.extensions import db
from lms.models_base import utcnow
from lms.org import services
from lms.org.models import Staff
from lms.questionbank.cli import seed_question_banks
from lms.text import nfc

DEMO_PASSWORD = "Demo@2017"
DATA = Path(__file__).with_name("hanoi_2016.yaml")

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"]
MIDDLE_MALE = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Mạnh"]
MIDDLE_FEMALE = ["Thị", "Thu", "Thanh", "Ngọc", "Phương", "Hồng", "Minh"]
GIVEN_MALE = ["Hùng", "Dũng", "Tuấn", "Sơn", "Long", "Thắng", "Quân", "Hải", "Khánh", "Tùng", "Cường", "Đạt"]
GIVEN_FEMALE = ["Lan", "Hương", "Hà", "Trang", "Thảo", "Ngân", "Hạnh", "Dung", "Yến", "Linh", "Nhung", "Thủy"]
PLACES = ["Hà Nội", "Hưng Yên", "Bắc Ninh", "Hà Nam", "Nam Định", "Thái Bình", "Phú Thọ", "Vĩnh Phúc", "Hải Dương", "Thanh Hóa"]


def slug(text):
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return re.sub(r"[^A-Z0-9]+", "", text.upper())


def seed_units():
    data = yaml.safe_load(nfc(DATA.read_text(encoding="utf-8")))
    blocs = {b.code: b for b in db.session.execute(select(EmulationBloc)).scalars()}
    city = services.create_unit(data["city"]["code"], data["city"]["name"], "city")
    units = {city.code: city}
    for entry in data["districts"]:
        district = services.create_unit(entry["code"], entry["name"], entry["kind"], parent=city, bloc=blocs["KHOI-QUAN-HUYEN"])
        units[district.code] = district
        for key, kind, prefix, bloc in (("wards", "ward", "Phường", "KHOI-PHUONG"), ("communes", "commune", "Xã", "KHOI-XA"), ("townships", "township", "Thị trấn", "KHOI-XA")):
            for name in entry.get(key, []):
                code = f"{district.code}-{slug(name)}" if kind != "township" else f"{district.code}-TT{slug(name)}"
                units[code] = services.create_unit(code, f"{prefix} {name}", kind, parent=district, bloc=blocs[bloc])
    for entry in data["others"]:
        units[entry["code"]] = services.create_unit(entry["code"], entry["name"], entry["kind"], parent=units[entry["parent"]], bloc=blocs.get(entry.get("bloc")))
    return units


def _person(rng, index, used_ids):
    female = rng.random() < 0.5
    name = " ".join([rng.choice(FAMILY), rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE), rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)])
    birth = date(rng.randint(1965, 1996), rng.randint(1, 12), rng.randint(1, 28))
    while True:
        # CCCD: province code 001 (Hà Nội), sex/century digit, two digits of the birth year, six digits.
        id_number = f"001{(1 if female else 0) + (2 if birth.year >= 2000 else 0)}{birth.year % 100:02d}{rng.randint(0, 999999):06d}"
        if id_number not in used_ids:
            used_ids.add(id_number)
            break
    return {"full_name": name, "birth_date": birth, "birth_place": rng.choice(PLACES), "sex": "female" if female else "male", "id_number": id_number, "status": "active"}


def seed_staff(units):
    rng = random.Random(2017)
    titles = {t.code: t for t in db.session.execute(select(Title)).scalars()}
    used_ids = set()
    communes = ["LB-BODE", "LB-NGOCLAM", "LB-VIETHUNG", "NTL-MYDINH1", "NTL-METRI", "HK-HANGBAC", "HK-TRANGTIEN", "GL-BATTRANG", "GL-TTTRAUQUY", "GL-DATON"]
    placements = []
    for index, code in enumerate(communes):
        land = "CC-DIACHINH-NN" if code.startswith("GL-") and "TT" not in code else "CC-DIACHINH-DT"
        commune_titles = ["CC-VANPHONG", "CC-TUPHAP", "CC-TAICHINH", land, "CC-VANHOA"]
        commune_titles += ["CC-CONGAN", "CC-QUANSU", "CB-CTUBND", "CB-BITHU"] if index < 3 else ["CB-PCTUBND"]
        if index == 0:
            commune_titles += ["CB-CTHDND", "CB-MTTQ", "CB-DOAN", "CB-PHUNU", "CB-NONGDAN", "CB-CCB", "CB-PHOBITHU", "CB-PCTHDND"]
        placements += [(code, title) for title in commune_titles]
    placements += [("LB-MN-HOASUA", "GV-MAMNON"), ("LB-TH-BODE", "GV-TIEUHOC"), ("LB-TH-BODE", "GV-TIEUHOC"), ("LB-THCS-NGOCLAM", "GV-THCS"),
                   ("THPT-NGUYENGIATHIEU", "GV-THPT"), ("HK-THCS-TRUNGVUONG", "GV-THCS")]
    people = []
    for index, (unit_code, title_code) in enumerate(placements):
        values = _person(rng, index, used_ids)
        values["email"] = f"{slug(values['full_name']).lower()}{index}@hanoi.gov.vn"
        staff, _ = services.save_staff(values, units[unit_code], titles[title_code])
        people.append(staff)
    return people


def seed_accounts(units, people):
    learner_staff = people[1]  # Tư pháp – hộ tịch, phường Bồ Đề
    trainer_staff = Staff(full_name="Phạm Thu Hà", birth_date=date(1985, 3, 12), birth_place="Hà Nội", sex="female",
                          id_number="001185004217", unit=units["SO-TTTT"], email="phamthuha@hanoi.gov.vn")
    db.session.add(trainer_staff)
    db.session.flush()
    district_trainer = Staff(full_name="Đỗ Văn Khải", birth_date=date(1983, 9, 2), birth_place="Hà Nội", sex="male",
                             id_number="001083006128", unit=units["GL"], email="dovankhai@gialam.hanoi.gov.vn")
    db.session.add(district_trainer)
    db.session.flush()
    accounts = [
        ("admin", "Quản trị hệ thống", ["admin"], None, None),
        ("hr", "Lê Minh Tuấn (TCCB quận Long Biên)", ["hr"], units["LB"], None),
        ("trainer", "Phạm Thu Hà", ["trainer"], None, trainer_staff),  # no unit: the whole city
        ("trainer_gl", "Đỗ Văn Khải (giảng viên huyện Gia Lâm)", ["trainer"], units["GL"], district_trainer),
        ("proctor_gl", "Nguyễn Thị Thanh Hương (coi thi huyện Gia Lâm)", ["proctor"], units["GL"], None),
        ("learner", learner_staff.full_name, ["learner"], None, learner_staff),
    ]
    for username, name, roles, unit, staff in accounts:
        if find_user(username) is None:
            create_user(username, DEMO_PASSWORD, name, roles=roles, unit=unit, staff=staff)
    return learner_staff


def seed_units_staff_accounts():
    """The organisation part of the demo: units, staff and the demo accounts."""
    units = seed_units()
    people = seed_staff(units)
    seed_accounts(units, people)
    return units, people


def seed_certificates():
    """Demo seed step: the certificates of every session whose results are released, as the
    batch after a session issues them (signed by the development CA), then one revoked and one
    reissued so that the register shows each status."""
    from lms.certificates import authority as authorities
    from lms.certificates import issuance, review
    from lms.certificates.jobs import notify_holder
    from lms.exams.models import ExamSession
    from lms.scope import Scope

    authority = authorities.current()
    admin = find_user("admin")
    sessions = db.session.execute(select(ExamSession).where(ExamSession.results_released_at.is_not(None)).order_by(ExamSession.id)).scalars()
    issued = [issuance.issue(pending, authority, utcnow(), admin)[0] for session in sessions
              for pending in issuance.pending_in_session(session, Scope.city())]
    for certificate in issued:
        notify_holder(certificate, authority)  # delivered to the outbox once the seed commits
    learner = find_user("learner")
    others = [certificate for certificate in issued if certificate.staff_id != learner.staff_id]
    line = f"Chứng chỉ: đã cấp {len(issued)} (ký bằng chứng thư phát triển)"
    if len(others) >= 2:
        review.revoke(others[-1], utcnow(), admin, "Cấp nhầm: thí sinh dự thi thay người khác (biên bản của hội đồng thi)")
        issuance.reissue(others[0], authority, utcnow(), admin, "Sai chính tả nơi sinh trên chứng chỉ",
                         {"birth_place": others[0].birth_place or "Hà Nội"})
        line += "; một chứng chỉ bị thu hồi, một được cấp lại"
    return line + "."


def seed_ward_accounts(unit_code="LB-BODE"):
    """Demo seed step: an account for every official of Phường Bồ Đề, as HR provisions them, the
    activation codes e-mailed (to the outbox once the seed commits)."""
    from lms.auth.provisioning import provision_unit
    from lms.org.models import Unit

    unit = db.session.execute(select(Unit).where(Unit.code == unit_code)).scalar_one()
    report = provision_unit(unit, actor=find_user("hr"))
    return (f"Tài khoản cán bộ {unit.name}: tạo {len(report.created)} tài khoản chờ kích hoạt (mã kích hoạt gửi qua thư), "
            f"{report.already} đã có; tên đăng nhập là số định danh, kích hoạt ở /activate.")


def seed_rankings():
    """Demo seed step: IT-deployment figures and the published ranking (lms.rankings.demo)."""
    from lms.rankings.demo import seed_indicators

    return seed_indicators()


def seed_all():
    added = load_catalogues()
    units, people = seed_units_staff_accounts()
    summary = [
        f"Danh mục: {added}",
        f"Đơn vị: {len(units)}; cán bộ: {len(people) + 1}",
    ]
    # The question banks first: the demo sessions draw from their pool.
    summary.append(seed_question_banks())
    summary.append(seed_courses(utcnow()))  # the assignment falls due a month after the seed day
    summary.extend(seed_exam_demo(utcnow()))
    summary.extend(seed_finished_session(utcnow())[1])  # a session a month old, graded and released
    summary.append(seed_certificates())
    summary.append(seed_rankings())  # on the learning results above: this year's figures, Khối phường published twice
    summary.append(seed_ward_accounts())  # last: HR finds the ward's accounts waiting for activation
    summary.append(f"Tài khoản demo (mật khẩu {DEMO_PASSWORD}): admin, hr (TCCB quận Long Biên), trainer (giảng viên cấp thành phố), "
                   "trainer_gl (giảng viên huyện Gia Lâm), proctor_gl (coi thi huyện Gia Lâm), learner")
    return summary
