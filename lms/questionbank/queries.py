"""Reads of the question banks: who may open which bank, filtered lists, history, counts."""
import re

from sqlalchemy import Text, case, cast, exists, func, or_, select, true
from sqlalchemy.orm import joinedload

from lms.auth.models import RoleAssignment, User
from lms.catalogue.models import Module, SyllabusNode
from lms.extensions import db
from lms.questionbank.formats.moodle import module_named
from lms.questionbank.markup import question_data_images
from lms.questionbank.models import Question, QuestionBank, QuestionBankShare, QuestionReview, QuestionVersion
from lms.questionbank.schema import QuestionData
from lms.questionbank.types import shown_images
from lms.text import tidy


def fold(text):
    """The search form of a text: NFC, lower case (diacritics kept: "hà" ≠ "ha")."""
    return tidy(text).lower()


# --- Access ------------------------------------------------------------------------------


def bank_access_condition(user):
    """SQL condition on QuestionBank: administrators see every bank; trainers their own and shared ones."""
    if user.has_role("admin"):
        return true()
    shared = exists().where(QuestionBankShare.bank_id == QuestionBank.id, QuestionBankShare.user_id == user.id)
    return or_(QuestionBank.owner_id == user.id, shared)


def can_access_bank(user, bank):
    if user.has_role("admin") or bank.owner_id == user.id:
        return True
    return db.session.execute(
        select(QuestionBankShare.id).where(QuestionBankShare.bank_id == bank.id, QuestionBankShare.user_id == user.id)
    ).first() is not None


# --- Banks -------------------------------------------------------------------------------


def banks_for(user):
    """Accessible banks with their question counts per status, in one grouped query."""
    counts = (
        select(
            Question.bank_id,
            func.count(Question.id).label("total"),
            func.sum(case((Question.status == "approved", 1), else_=0)).label("approved"),
            func.sum(case((Question.status == "review", 1), else_=0)).label("review"),
            func.sum(case((Question.pool == "practice", 1), else_=0)).label("practice"),
        )
        .group_by(Question.bank_id)
        .subquery()
    )
    rows = db.session.execute(
        select(QuestionBank, counts.c.total, counts.c.approved, counts.c.review, counts.c.practice)
        .outerjoin(counts, counts.c.bank_id == QuestionBank.id)
        .where(bank_access_condition(user))
        .options(joinedload(QuestionBank.owner))
        .order_by(QuestionBank.name)
    ).all()
    return [
        {"bank": bank, "total": total or 0, "approved": approved or 0, "review": review or 0, "practice": practice or 0}
        for bank, total, approved, review, practice in rows
    ]


def accessible_banks(user):
    return db.session.execute(select(QuestionBank).where(bank_access_condition(user)).order_by(QuestionBank.name)).scalars().all()


def bank_by_name(name):
    return db.session.execute(select(QuestionBank).where(QuestionBank.name == name)).scalar_one_or_none()


# "IU01 – Hiểu biết về CNTT cơ bản": the short code is what comes before the dash (or colon).
_CODE_SEPARATOR = re.compile(r"\s+[–—-]\s+|\s*:\s+")


def bank_short_code(name):
    parts = _CODE_SEPARATOR.split(name or "", maxsplit=1)
    return parts[0].strip() if len(parts) == 2 and parts[0].strip() else None


def banks_by_name_or_code(text):
    """The bank of that exact name; else every bank whose short code it is (any case): one, several or none."""
    text = tidy(text)
    exact = bank_by_name(text)
    if exact is not None:
        return [exact]
    wanted = text.casefold()
    banks = db.session.execute(select(QuestionBank).order_by(QuestionBank.name)).scalars()
    return [bank for bank in banks if (bank_short_code(bank.name) or "").casefold() == wanted]


def bank_module(bank):
    """The module a bank is for: the one its name names (IU01 – …), else the one module all its questions share."""
    named = module_named(bank.name)
    if named:
        return named
    codes = db.session.execute(
        select(Module.code).join(Question, Question.module_id == Module.id).where(Question.bank_id == bank.id).distinct().limit(2)
    ).scalars().all()
    return codes[0] if len(codes) == 1 else None


def bank_shares(bank):
    return db.session.execute(
        select(QuestionBankShare).where(QuestionBankShare.bank_id == bank.id).options(joinedload(QuestionBankShare.user))
    ).scalars().all()


def trainers():
    """Accounts who may be given a bank: trainers and administrators."""
    return db.session.execute(
        select(User)
        .where(User.enabled.is_(True), exists().where(RoleAssignment.user_id == User.id, RoleAssignment.role.in_(("trainer", "admin"))))
        .order_by(User.display_name)
    ).scalars().all()


# --- Questions ---------------------------------------------------------------------------


def question_query(user, bank_id=None, module_id=None, syllabus=None, difficulty=None, status=None, pool=None, author_id=None, text=None, qtype=None):
    """A select of the questions the user may see, narrowed by the list filters."""
    query = (
        select(Question)
        .join(QuestionBank, Question.bank_id == QuestionBank.id)
        .where(bank_access_condition(user))
        .options(joinedload(Question.module), joinedload(Question.author), joinedload(Question.bank), joinedload(Question.current_version))
    )
    if bank_id:
        query = query.where(Question.bank_id == bank_id)
    if module_id:
        query = query.where(Question.module_id == module_id)
    if syllabus:
        # A topic code selects its sub-topics too (IU04.3 → IU04.3.1, IU04.3.2 …).
        code = syllabus.strip()
        query = query.where(or_(Question.syllabus_code == code, Question.syllabus_code.startswith(code + ".", autoescape=True)))
    if difficulty:
        query = query.where(Question.difficulty == difficulty)
    if status:
        query = query.where(Question.status == status)
    if pool:
        query = query.where(Question.pool == pool)
    if author_id:
        query = query.where(Question.author_id == author_id)
    if qtype:
        query = query.where(Question.type == qtype)
    if text and fold(text):
        query = query.where(Question.search_text.contains(fold(text), autoescape=True))
    return query.order_by(QuestionBank.name, Question.key)


def review_queue(user):
    """Questions waiting for review in the banks the user may open, oldest first."""
    return db.session.execute(
        question_query(user, status="review").order_by(None).order_by(Question.updated_at, Question.id)
    ).unique().scalars().all()


def questions_by_ids(user, ids):
    if not ids:
        return []
    return db.session.execute(question_query(user).where(Question.id.in_(ids))).unique().scalars().all()


def versions(question_id):
    return db.session.execute(
        select(QuestionVersion)
        .where(QuestionVersion.question_id == question_id)
        .options(joinedload(QuestionVersion.created_by))
        .order_by(QuestionVersion.number.desc())
    ).scalars().all()


def version_by_number(question_id, number):
    return db.session.execute(
        select(QuestionVersion).where(QuestionVersion.question_id == question_id, QuestionVersion.number == number)
    ).scalar_one_or_none()


def reviews(question_id):
    return db.session.execute(
        select(QuestionReview)
        .where(QuestionReview.question_id == question_id)
        .options(joinedload(QuestionReview.reviewer), joinedload(QuestionReview.version))
        .order_by(QuestionReview.created_at.desc(), QuestionReview.id.desc())
    ).scalars().all()


def bank_questions_with_versions(bank_id):
    """(Question, current QuestionVersion) pairs of a bank in one query, in insertion order."""
    return db.session.execute(
        select(Question, QuestionVersion)
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .where(Question.bank_id == bank_id)
        .order_by(Question.id)
    ).all()


def module_ids_by_code():
    return dict(db.session.execute(select(Module.code, Module.id)).all())


def modules():
    return db.session.execute(select(Module).order_by(Module.position, Module.code)).scalars().all()


def syllabus_codes_by_module():
    result = {}
    for module_code, code in db.session.execute(select(Module.code, SyllabusNode.code).join(SyllabusNode, SyllabusNode.module_id == Module.id)):
        result.setdefault(module_code, set()).add(code)
    return result


def syllabus_titles(codes):
    if not codes:
        return {}
    return dict(db.session.execute(select(SyllabusNode.code, SyllabusNode.title).where(SyllabusNode.code.in_(list(codes)))).all())


def authors(user):
    """The people who wrote questions the user may see, for the author filter."""
    return db.session.execute(
        select(User)
        .where(User.id.in_(question_query(user).with_only_columns(Question.author_id).order_by(None).distinct()))
        .order_by(User.display_name)
    ).scalars().all()


# --- Usage statistics --------------------------------------------------------------------

def versions_show_image(version_ids, image_id, while_answering=False) -> bool:
    """Whether one of these question versions (a list of ids or a SELECT of them) shows the
    image; with `while_answering`, on the question as a paper shows it (types.shown_images)
    rather than anywhere in it. SQL keeps the versions that mention the image's URL; the
    exact id is checked here, since a LIKE for image 5 also finds image 50."""
    text = cast(QuestionVersion.data, Text)
    rows = db.session.execute(
        select(QuestionVersion.data).where(QuestionVersion.id.in_(version_ids), text.contains(f"/media/questions/{image_id}", autoescape=True))
    ).scalars()
    images = (lambda data: shown_images(QuestionData.from_dict(data))) if while_answering else question_data_images
    return any(image_id in images(data) for data in rows)
