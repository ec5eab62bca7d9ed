"""Demo seed step: IT-deployment figures for every bloc unit this year (a fixed seed; a few
units leave an indicator out, so the pages show missing data and its rule), and Khối phường's
ranking published, corrected and published again, so that both versions are there."""
import random

from sqlalchemy import select

from lms.auth.services import find_user
from lms.catalogue.models import Indicator
from lms.extensions import db
from lms.localtime import local_today
from lms.org.models import Unit
from lms.rankings.indicators import record_values
from lms.rankings.publishing import publish_safely
from lms.rankings.service import find_bloc
from lms.reports.filters import parse_period
from lms.scope import Scope

# Plausible spans for Hanoi's units around 2017 (Long Biên's wards above the others: the
# district is the demo's HR department, so its ranking should show differences).
SPANS = {"online_procedures_pct": (10, 60), "online_applications_pct": (2, 40), "official_email_pct": (50, 100),
         "computers_per_staff": (0.4, 1.3)}
LEFT_OUT = {"LB-VIETHUNG": "computers_per_staff", "LB-THACHBAN": "online_applications_pct"}
CORRECTION = ("LB-BODE", "online_procedures_pct", 72.5)


def _figures(rng, code):
    figures = {name: round(rng.uniform(*span), 2 if span[1] < 2 else 1) for name, span in SPANS.items()}
    figures["one_stop_shop"] = 1 if rng.random() < 0.85 else 0
    if code.startswith("LB"):
        figures["online_procedures_pct"] = min(100, figures["online_procedures_pct"] + 15)
    figures.pop(LEFT_OUT.get(code, ""), None)
    return figures


def seed_indicators():
    period = parse_period(str(local_today().year))
    rng = random.Random(3718)
    indicators = {row.code: row for row in db.session.execute(select(Indicator).where(Indicator.source == "reported")).scalars()}
    units = db.session.execute(select(Unit).where(Unit.bloc_id.is_not(None), Unit.status == "active").order_by(Unit.code)).scalars().all()
    hr = find_user("hr")
    entries = [(unit, indicators[name], value) for unit in units for name, value in _figures(rng, unit.code).items()]
    record_values(entries, period.label, None, "demo", Scope.city())
    db.session.flush()
    admin, wards = find_user("admin"), find_bloc("KHOI-PHUONG")
    publish_safely(period, wards, admin, "Công bố kết quả xếp hạng khối phường.")
    code, name, value = CORRECTION
    unit = next(unit for unit in units if unit.code == code)
    record_values([(unit, indicators[name], value)], period.label, hr, "form", Scope([unit.path]))
    db.session.flush()
    publish_safely(period, wards, admin, "Phường Bồ Đề bổ sung số thủ tục trực tuyến mức độ 3, 4 sau rà soát.")
    return (f"Xếp hạng thi đua: số liệu ứng dụng CNTT năm {period.label} của {len(units)} đơn vị; "
            "bảng xếp hạng khối phường đã công bố 2 phiên bản.")
