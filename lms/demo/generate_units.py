"""The organisation the generated population works in, and how many people each unit employs.

Hanoi's 30 district-level units of 2016 with their 584 communes, wards and townships (the real
names where hanoi_2016.yaml has them, with seed.py's codes; numbered ones for the rest), a
preschool, a primary and a lower-secondary school per commune (under the district's Phòng
Giáo dục và Đào tạo, as in the seed), the district's offices, and a THPT school per district
(under Sở Giáo dục và Đào tạo). Every unit is created only when its code is missing.
"""
import random
from bisect import bisect_right
from dataclasses import dataclass, field

import yaml
from sqlalchemy import select

from lms.catalogue.models import EmulationBloc
from lms.demo.generate_bulk import IdAllocator, insert_rows
from lms.demo.seed import DATA, seed_units, slug
from lms.extensions import db
from lms.models_base import utcnow
from lms.org.models import Unit
from lms.text import nfc

CITY = "HN"
# (wards, communes, townships) of each district-level unit in 2016: 177 + 386 + 21 = 584.
COMMUNE_COUNTS = {
    "BD": (14, 0, 0), "BTL": (13, 0, 0), "CG": (8, 0, 0), "DD": (21, 0, 0), "HD": (17, 0, 0), "HBT": (20, 0, 0),
    "HK": (18, 0, 0), "HM": (14, 0, 0), "LB": (14, 0, 0), "NTL": (10, 0, 0), "TH": (8, 0, 0), "TX": (11, 0, 0),
    "ST": (9, 6, 0), "BV": (0, 30, 1), "CM": (0, 30, 2), "DP": (0, 15, 1), "DA": (0, 23, 1), "GL": (0, 20, 2),
    "HDU": (0, 19, 1), "ML": (0, 16, 2), "MD": (0, 21, 1), "PX": (0, 26, 2), "PT": (0, 22, 1), "QO": (0, 20, 1),
    "SS": (0, 25, 1), "TT": (0, 22, 1), "TO": (0, 20, 1), "TTR": (0, 15, 1), "THT": (0, 28, 1), "UH": (0, 28, 1),
}
COMMUNE_KINDS = (("wards", "ward", "Phường", "P", "KHOI-PHUONG"), ("communes", "commune", "Xã", "X", "KHOI-XA"),
                 ("townships", "township", "Thị trấn", "TT", "KHOI-XA"))
# The district's specialised offices (code suffix, name before "quận X"); PGDDT and PNV as in the seed.
OFFICES = (("VP", "Văn phòng HĐND và UBND"), ("PNV", "Phòng Nội vụ"), ("PTCKH", "Phòng Tài chính – Kế hoạch"),
           ("PGDDT", "Phòng Giáo dục và Đào tạo"), ("PTP", "Phòng Tư pháp"), ("PLDTBXH", "Phòng Lao động – Thương binh và Xã hội"),
           ("PVHTT", "Phòng Văn hóa và Thông tin"), ("PTNMT", "Phòng Tài nguyên và Môi trường"), ("PKT", "Phòng Kinh tế"),
           ("PQLDT", "Phòng Quản lý đô thị"), ("PYT", "Phòng Y tế"), ("TTRA", "Thanh tra"))
# Per commune: (code part, name prefix, title, typical headcount); codes as the seed's LB-TH-BODE.
SCHOOLS = (("MN", "Trường Mầm non", "GV-MAMNON", 38), ("TH", "Trường Tiểu học", "GV-TIEUHOC", 52), ("THCS", "Trường THCS", "GV-THCS", 46))
SCHOOL_TITLES = {"Trường Mầm non": "GV-MAMNON", "Trường Tiểu học": "GV-TIEUHOC", "Trường THCS": "GV-THCS", "Trường THPT": "GV-THPT"}
# A commune's officials: công chức (1–3 per post) and cán bộ (one each, two deputy chairs).
COMMUNE_CIVIL_SERVANTS = ("CC-VANPHONG", "CC-TUPHAP", "CC-TAICHINH", "CC-VANHOA", "CC-CONGAN", "CC-QUANSU")
COMMUNE_LEADERS = (("CB-BITHU", 1), ("CB-PHOBITHU", 1), ("CB-CTHDND", 1), ("CB-PCTHDND", 1), ("CB-CTUBND", 1), ("CB-PCTUBND", 2),
                   ("CB-MTTQ", 1), ("CB-DOAN", 1), ("CB-PHUNU", 1), ("CB-NONGDAN", 1), ("CB-CCB", 1))


@dataclass
class UnitSpec:
    code: str
    name: str
    kind: str
    parent: str
    bloc: str = None


@dataclass
class Placement:
    """Where generated people work: slots (unit code, title code or None) with weights, and for
    any person index the slot, by systematic sampling over the weights (exactly `total` people,
    each slot's share proportional to its weight, whatever the batch)."""

    slots: list
    cumulative: list
    total: int
    units: dict  # code -> (id, organiser code: its district's, or the city's)
    by_title: dict = field(default_factory=dict)  # (organiser or None for anywhere, title code) -> unit codes with that slot

    def slot_of(self, index):
        position = (index + 0.5) * self.cumulative[-1] / self.total
        return self.slots[min(bisect_right(self.cumulative, position), len(self.slots) - 1)]


def _lower_first(name):
    return name[0].lower() + name[1:]


def _short(name, prefixes=("Quận ", "Huyện ", "Thị xã ", "Phường ", "Xã ", "Thị trấn ")):
    return next((name[len(prefix):] for prefix in prefixes if name.startswith(prefix)), name)


def unit_specs():
    """Every unit the generator needs, parents before children, from the yaml and the 2016 counts."""
    data = yaml.safe_load(nfc(DATA.read_text(encoding="utf-8")))
    specs = [UnitSpec(CITY, data["city"]["name"], "city", None)]
    schools, offices = [], []
    for entry in data["districts"]:
        district, name = entry["code"], entry["name"]
        specs.append(UnitSpec(district, name, entry["kind"], CITY, "KHOI-QUAN-HUYEN"))
        where = _lower_first(name)
        for suffix, office in OFFICES:
            offices.append(UnitSpec(f"{district}-{suffix}", f"{office} {where}", "office", district))
        for (key, kind, prefix, letter, bloc), wanted in zip(COMMUNE_KINDS, COMMUNE_COUNTS[district]):
            named = entry.get(key, [])
            for number in range(1, max(wanted, len(named)) + 1):
                if number <= len(named):
                    real = named[number - 1]
                    code = f"{district}-{slug(real)}" if kind != "township" else f"{district}-TT{slug(real)}"
                    commune, school_name = f"{prefix} {real}", real if kind != "township" else f"{prefix} {real}"
                else:
                    code, commune = f"{district}-{letter}{number:02d}", f"{prefix} {number}"
                    school_name = f"{commune}, {where}"
                specs.append(UnitSpec(code, commune, kind, district, bloc))
                for part, school, _title, _size in SCHOOLS:
                    schools.append(UnitSpec(f"{district}-{part}-{code[len(district) + 1:]}", f"{school} {school_name}", "school",
                                            f"{district}-PGDDT", "KHOI-TRUONG"))
        schools.append(UnitSpec(f"THPT-{district}", f"Trường THPT {_short(name)}", "school", "SO-GDDT", "KHOI-TRUONG"))
    others = [UnitSpec(entry["code"], entry["name"], entry["kind"], entry["parent"], entry.get("bloc")) for entry in data["others"]]
    # The seed's city departments, offices and schools first: the generated ones may sit under them.
    unique = {}
    for spec in specs + others + offices + schools:
        unique.setdefault(spec.code, spec)  # LB-PGDDT is both the seed's and a district office
    return list(unique.values())


def ensure_units():
    """Create the missing units (seed_units on an empty database, then the generated ones in
    bulk with their paths); {code: (id, path, kind, name)} of every spec. Flushes; the caller commits."""
    if db.session.execute(select(Unit.id).where(Unit.code == CITY)).first() is None:
        seed_units()
        db.session.flush()
    specs = unit_specs()
    existing = {row.code: (row.id, row.path, row.kind, row.name) for row in
                db.session.execute(select(Unit.code, Unit.id, Unit.path, Unit.kind, Unit.name))}
    blocs = dict(db.session.execute(select(EmulationBloc.code, EmulationBloc.id)).all())
    missing = [spec for spec in specs if spec.code not in existing]
    ids = IdAllocator().take(Unit.__table__, len(missing))
    rows, now = [], utcnow()
    for spec, unit_id in zip(missing, ids):
        parent_id, parent_path = existing[spec.parent][:2]
        path = f"{parent_path}{unit_id}/"
        existing[spec.code] = (unit_id, path, spec.kind, spec.name)
        rows.append({"id": unit_id, "code": spec.code, "name": spec.name, "kind": spec.kind, "parent_id": parent_id, "path": path,
                     "bloc_id": blocs.get(spec.bloc), "status": "active", "closed_on": None, "merged_into_id": None, "created_at": now})
    insert_rows(Unit.__table__, rows)
    return {spec.code: existing[spec.code] for spec in specs}, len(rows)


def _organiser(code, units, parents):
    """The district whose exam sessions the unit's people sit (its ancestor below the city), or the city."""
    while code is not None and parents.get(code) not in (CITY, None):
        code = parents[code]
    return code if code is not None and parents.get(code) == CITY and units[code][2] in ("urban_district", "rural_district", "town") else CITY


def placement(units, total, seed):
    """The slots and weights, drawn from Random(seed) in code order: the same for every run
    with the same seed, whatever the database held before."""
    rng = random.Random(seed)
    parents = {spec.code: spec.parent for spec in unit_specs()}
    urban = {code for code, (_id, _path, kind, _name) in units.items() if kind == "urban_district"}
    slots, weights = [], []

    def add(code, title, weight):
        slots.append((code, title))
        weights.append(weight)

    for code in sorted(units):
        _id, _path, kind, name = units[code]
        if kind in ("ward", "commune", "township"):
            land = "CC-DIACHINH-NN" if kind == "commune" else "CC-DIACHINH-DT"
            for title in COMMUNE_CIVIL_SERVANTS[:4] + (land,):
                add(code, title, rng.choice((1, 2, 2, 2, 3)))
            for title in COMMUNE_CIVIL_SERVANTS[4:]:
                add(code, title, 1)
            for title, count in COMMUNE_LEADERS:
                if title != "CB-NONGDAN" or kind != "ward":  # wards have no farmers' union
                    add(code, title, count)
        elif kind == "school":
            title = next((title for prefix, title in SCHOOL_TITLES.items() if name.startswith(prefix)), None)
            size = {"GV-THPT": 90}.get(title) or next(size for _part, _prefix, each, size in SCHOOLS if each == title)
            city_bonus = 1.2 if parents.get(parents.get(code)) in urban else 1.0
            add(code, title, size * city_bonus * rng.uniform(0.7, 1.3))
        elif kind in ("office", "department"):
            add(code, None, rng.randint(25, 60) if kind == "department" else rng.randint(6, 14))  # chuyên viên: no title of the catalogue
    cumulative, running = [], 0.0
    for weight in weights:
        running += weight
        cumulative.append(running)
    info = {code: (units[code][0], _organiser(code, units, parents)) for code in units}
    plan = Placement(slots, cumulative, total, info)
    for code, title in slots:
        plan.by_title.setdefault((info[code][1], title), []).append(code)
        plan.by_title.setdefault((None, title), []).append(code)
    return plan
