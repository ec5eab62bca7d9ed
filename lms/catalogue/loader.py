"""The catalogues kept as data: modules, syllabus codes, titles with learning paths, emulation blocs,
certificate rules, the ranking's indicators.

`load_catalogues()` is idempotent: it adds what is missing and never overwrites what an
administrator has edited in the UI.
"""
from pathlib import Path

import yaml
from sqlalchemy import select

from lms.catalogue.models import CertificateRule, EmulationBloc, Indicator, LearningPathModule, Module, SyllabusNode, Title
from lms.extensions import db
from lms.text import nfc

DATA_DIR = Path(__file__).resolve().parent


def _load(name):
    text = nfc((DATA_DIR / name).read_text(encoding="utf-8"))
    return yaml.safe_load(text)


def load_catalogues():
    added = {"modules": 0, "syllabus": 0, "titles": 0, "blocs": 0, "certificate_rules": 0, "indicators": 0}
    modules = {m.code: m for m in db.session.execute(select(Module)).scalars()}
    for position, entry in enumerate(_load("modules.yaml"), start=1):
        if entry["code"] not in modules:
            module = Module(code=entry["code"], name=entry["name"], name_en=entry["name_en"], level=entry["level"], position=position)
            db.session.add(module)
            modules[module.code] = module
            added["modules"] += 1
    db.session.flush()
    known_nodes = set(db.session.execute(select(SyllabusNode.code)).scalars())
    for module_code, nodes in _load("syllabus.yaml").items():
        for code, title in nodes.items():
            if code not in known_nodes:
                db.session.add(SyllabusNode(module_id=modules[module_code].id, code=code, title=title))
                added["syllabus"] += 1
    titles_data = _load("titles.yaml")
    known_titles = set(db.session.execute(select(Title.code)).scalars())
    for position, entry in enumerate(titles_data["titles"], start=1):
        if entry["code"] in known_titles:
            continue
        title = Title(code=entry["code"], name=entry["name"], group=entry["group"], position=position)
        for code in titles_data["basic_modules"] + entry.get("advanced", []):
            title.path_modules.append(LearningPathModule(module_id=modules[code].id))
        db.session.add(title)
        added["titles"] += 1
    known_blocs = set(db.session.execute(select(EmulationBloc.code)).scalars())
    for entry in _load("blocs.yaml"):
        if entry["code"] not in known_blocs:
            db.session.add(EmulationBloc(code=entry["code"], name=entry["name"]))
            added["blocs"] += 1
    known_rules = set(db.session.execute(select(CertificateRule.code)).scalars())
    for entry in _load("certificate_rules.yaml"):
        if entry["code"] not in known_rules:
            db.session.add(CertificateRule(**entry))
            added["certificate_rules"] += 1
    known_indicators = set(db.session.execute(select(Indicator.code)).scalars())
    for position, entry in enumerate(_load("indicators.yaml"), start=1):
        if entry["code"] not in known_indicators:
            db.session.add(Indicator(position=position, **entry))
            added["indicators"] += 1
    db.session.flush()
    return added


def syllabus_codes():
    """Every syllabus code of the shipped catalogue, by module (for validating imports)."""
    return {module: set(nodes) for module, nodes in _load("syllabus.yaml").items()}
