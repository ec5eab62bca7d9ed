"""Writes to the question banks. They flush; the caller commits.

Versions: every change of a question's content adds a QuestionVersion (numbered 1..n,
never deleted); the question points at its latest one. Status follows the review
workflow draft → review → approved → retired. As in Moodle, the editor chooses the
status of a new version, but "approved" needs a second person: when the editor may not
approve (QUESTION_SELF_APPROVAL off), the new version goes to review instead, and the
question leaves the exam pool until someone else approves it.
"""
from dataclasses import MISSING, dataclass, field, fields

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, or_, select, update

from lms.audit.services import record
from lms.extensions import db
from lms.messages import translated
from lms.models_base import utcnow
from lms.questionbank import graded_answers, queries
from lms.questionbank.formats.common import KEY_MAX_LENGTH, canonicalize
from lms.questionbank.formats.moodle import link_images
from lms.questionbank.images import store_image
from lms.questionbank.models import Question, QuestionBank, QuestionBankShare, QuestionVersion
from lms.questionbank.schema import QuestionData, nfc
from lms.questionbank.types import validate_question
from lms.questionbank.workflow import (
    TRANSITIONS,
    QuestionBankError,
    allowed_target,
    bulk_change_status,
    can_approve,
    change_status,
    config_value,
    self_approval_allowed,
    set_status,
    settable_statuses,
    status_steps,
)

# The review workflow lives in workflow.py; the views and other areas reach it through services.
__all__ = ["TRANSITIONS", "QuestionBankError", "bulk_change_status", "can_approve", "change_status", "config_value", "self_approval_allowed",
           "settable_statuses", "set_status", "status_steps"]

# What a version stored before a field existed holds for it: the field's default.
FIELD_DEFAULTS = {f.name: f.default if f.default is not MISSING else f.default_factory() for f in fields(QuestionData)
                  if f.default is not MISSING or f.default_factory is not MISSING}

# --- Banks -------------------------------------------------------------------------------


def create_bank(name, owner, description=""):
    name = nfc(name).strip()
    if not name:
        raise QuestionBankError(_("Cần nhập tên ngân hàng."))
    if queries.bank_by_name(name) is not None:
        raise QuestionBankError(_("Đã có ngân hàng câu hỏi với tên này."))
    bank = QuestionBank(name=name, owner_id=owner.id if owner else None, description=nfc(description).strip())
    db.session.add(bank)
    db.session.flush()
    return bank


def share_bank(bank, user, actor=None):
    if user.id == bank.owner_id or any(share.user_id == user.id for share in bank.shares):
        return False
    if not user.has_role("trainer", "admin"):
        raise QuestionBankError(_("Chỉ chia sẻ được cho giảng viên."))
    bank.shares.append(QuestionBankShare(user_id=user.id))
    db.session.flush()
    record("questionbank.share", target=bank.name, actor=actor, user=user.username)
    return True


def unshare_bank(bank, user_id, actor=None):
    db.session.execute(delete(QuestionBankShare).where(QuestionBankShare.bank_id == bank.id, QuestionBankShare.user_id == user_id))
    db.session.expire(bank, ["shares"])
    record("questionbank.unshare", target=bank.name, actor=actor, user_id=user_id)


# --- Validation --------------------------------------------------------------------------


def validation_problems(data, module_ids, syllabus_by_module, module_required=True):
    """What is wrong with a question before it is stored (type rules and catalogue codes), in the
    language of the request. An import reports missing modules once for the file instead."""
    problems = []
    if not data.key or len(data.key) > KEY_MAX_LENGTH:
        problems.append(_("Mã câu hỏi phải có từ 1 đến %(max)d ký tự.", max=KEY_MAX_LENGTH))
    problems.extend(translated(problem, _) for problem in validate_question(data))  # the type's rules, difficulty, pool, status
    if not data.module:
        if module_required:
            problems.append(_("Thiếu mô đun (IU01–IU15)."))
    elif data.module not in module_ids:
        problems.append(_("Mô đun không tồn tại: %(module)s.", module=data.module))
    elif data.syllabus and data.syllabus not in syllabus_by_module.get(data.module, set()):
        problems.append(_("Mã nội dung %(code)s không thuộc chương trình mô đun %(module)s.", code=data.syllabus, module=data.module))
    return problems


def check_question(data):
    return validation_problems(data, queries.module_ids_by_code(), queries.syllabus_codes_by_module())


def search_text(data):
    parts = [data.key, data.title, data.text, data.explanation, " ".join(data.tags or [])]
    parts += [choice.text for choice in data.choices]
    parts += [str(graded_answers.text_parts(answer)[0]) for answer in data.answers if data.type == "short_answer"]
    parts += [str(side) for pair in data.pairs for side in pair]
    return queries.fold("\n".join(part for part in parts if part))


def _field_values(data, module_ids):
    """The Question columns that mirror a version's content (for the list filters)."""
    return {
        "type": data.type,
        "module_id": module_ids[data.module],
        "syllabus_code": data.syllabus or None,
        "difficulty": data.difficulty,
        "pool": data.pool,
        "tags": [nfc(tag) for tag in (data.tags or [])],
        "search_text": search_text(data),
    }


def _apply_fields(question, data, module_ids):
    for name, value in _field_values(data, module_ids).items():
        setattr(question, name, value)


def as_dict(data):
    """`QuestionData.to_dict()` without dataclasses.asdict's deep copies (ten times faster on big imports)."""
    values = {f.name: getattr(data, f.name) for f in fields(data)}
    values["choices"] = [dict(c) if isinstance(c, dict) else dict(vars(c)) for c in data.choices]
    values["pairs"] = [list(pair) for pair in data.pairs]
    values["rubric"] = [dict(item) if isinstance(item, dict) else item for item in data.rubric]
    for name in ("tags", "answers", "extensions"):
        values[name] = list(values[name])
    return values


def same_content(stored, incoming):
    """Two version dicts with equal content (the status is not content; a field missing from an
    older version has its default)."""
    return ({k: v for k, v in {**FIELD_DEFAULTS, **stored}.items() if k != "status"}
            == {k: v for k, v in {**FIELD_DEFAULTS, **incoming}.items() if k != "status"})


def _normalised(data):
    """The canonical form the importers produce too, so that equal content compares equal."""
    data.key = nfc(data.key).strip()
    return canonicalize(data)


# --- Authoring and review ------------------------------------------------------------------


def create_question(bank, data, actor, change_note=""):
    data = _normalised(data)
    problems = check_question(data)
    if db.session.execute(select(Question.id).where(Question.bank_id == bank.id, Question.key == data.key)).first():
        problems.append(_("Mã câu hỏi đã có trong ngân hàng."))
    if problems:
        raise QuestionBankError(" ".join(problems))
    requested = data.status
    question = Question(bank_id=bank.id, key=data.key, status="draft", author_id=actor.id if actor else None)
    _apply_fields(question, data, queries.module_ids_by_code())
    db.session.add(question)
    db.session.flush()
    _add_version(question, data, actor, 1, change_note or "Tạo câu hỏi")
    if requested != "draft":
        set_status(question, allowed_target(question, requested, actor), actor, "")
    return question


def _add_version(question, data, actor, number, change_note):
    data.status = question.status
    version = QuestionVersion(question_id=question.id, number=number, data=as_dict(data), created_by_id=actor.id if actor else None,
                              change_note=nfc(change_note)[:500])
    db.session.add(version)
    db.session.flush()
    question.current_version_id = version.id
    question.current_version = version
    return version


def edit_question(question, data, actor, change_note=""):
    """Store an edit. Returns the new version, or None when the content did not change.

    `data.status` is the status the editor asked for (see the module docstring)."""
    data = _normalised(data)
    data.key = question.key
    data.type = question.type  # the type is fixed at creation: versions stay comparable
    problems = check_question(data)
    if problems:
        raise QuestionBankError(" ".join(problems))
    requested = data.status
    current = question.current_version
    version = None
    if current is None or not same_content(current.data, as_dict(data)):
        _apply_fields(question, data, queries.module_ids_by_code())
        question.updated_at = utcnow()
        version = _add_version(question, data, actor, (current.number if current else 0) + 1, change_note or "Sửa câu hỏi")
    if version is None:
        if requested == "review" and question.status == "approved":
            return None  # "send the new version for review", offered for an approved question: no new version, nothing to review
        change_status(question, requested, actor)  # only the status changed: the workflow's rules apply
    else:
        target = allowed_target(question, requested, actor)
        if target != question.status:
            set_status(question, target, actor, "")
    return version


# --- Import ------------------------------------------------------------------------------


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors

    @property
    def total(self):
        return self.added + self.updated + self.unchanged

    def summary(self):
        return f"{self.added} thêm mới, {self.updated} cập nhật, {self.unchanged} không đổi"


def _missing_module_error(keys, module_hint):
    shown = ", ".join(keys[:MISSING_MODULE_KEYS_SHOWN]) + (", …" if len(keys) > MISSING_MODULE_KEYS_SHOWN else "")
    return _("%(n)d câu hỏi chưa có mô đun (%(keys)s): tệp không ghi mô đun ($CATEGORY, tên câu hỏi như IU01-007 hay thẻ "
             "lms:module) và ngân hàng không gắn với mô đun nào. %(hint)s", n=len(keys), keys=shown,
             hint=module_hint or _("Hãy chọn mô đun mặc định khi nhập."))


MISSING_MODULE_KEYS_SHOWN = 5


def store_question_images(bank, questions, images, actor):
    """Store the images a file embeds ({key: {name: bytes}}) in the bank and point the questions'
    @@PLUGINFILE@@ links at them; the problems, by question. An image already in the bank is
    reused, so a re-import gives the same links and changes nothing."""
    problems = []
    for index, data in enumerate(questions, start=1):
        urls = {}
        for name, content in (images or {}).get(data.key, {}).items():
            try:
                urls[name] = f"/media/questions/{store_image(bank, name, content, actor).id}"
            except QuestionBankError as error:
                problems.append(_("Câu hỏi #%(n)d (%(key)s): ảnh «%(name)s»: %(reason)s", n=index, key=data.key, name=name, reason=str(error)))
        if urls:
            link_images(data, urls)
    return problems


def import_questions(bank, questions, actor, keep_status=True, default_module=None, module_hint=None, images=None):
    """Add or update questions by their stable key; all or nothing.

    A question whose content differs from its current version gets a new version; an
    identical one is left alone, so re-importing a file changes nothing. With
    `keep_status` False (an upload by a trainer), "approved" in the file becomes
    "review" unless self-approval is allowed: an import does not bypass the review.
    A question without a module (the file's formats resolve $CATEGORY and names) takes
    `default_module`, else the bank's module; the ones left are one error naming
    `module_hint` (what the caller offers: the form's field, the command's --module).
    `images`: what the file embeds, see store_question_images.
    """
    report = ImportReport()
    report.errors.extend(store_question_images(bank, questions, images, actor))
    module_ids = queries.module_ids_by_code()
    syllabus = queries.syllabus_codes_by_module()
    fallback = default_module or queries.bank_module(bank)
    seen, missing = set(), []
    for index, data in enumerate(questions, start=1):
        _normalised(data)
        if not data.module and fallback:
            data.module = fallback
        if not data.module:
            missing.append(data.key or _("không có mã"))
        duplicate = data.key in seen
        seen.add(data.key)
        problems = validation_problems(data, module_ids, syllabus, module_required=False)
        if duplicate or problems:
            where = _("Câu hỏi #%(n)d (%(key)s)", n=index, key=data.key or _("không có mã"))
            if duplicate:
                report.errors.append(_("%(where)s: mã câu hỏi bị trùng trong tệp.", where=where))
            report.errors.extend(f"{where}: {problem}" for problem in problems)
    if missing:
        report.errors.insert(0, _missing_module_error(missing, module_hint))
    if report.errors:
        return report

    demote = not keep_status and not self_approval_allowed()
    actor_id = actor.id if actor else None
    now = utcnow()
    existing = {question.key: (question, version) for question, version in queries.bank_questions_with_versions(bank.id)}
    new_rows, new_data, changed, status_changes, demoted = [], [], [], [], 0
    for data in questions:
        status = "review" if demote and data.status == "approved" else data.status
        found = existing.get(data.key)
        if found is None:
            new_rows.append({"bank_id": bank.id, "key": data.key, "status": status, "author_id": actor_id,
                             "created_at": now, "updated_at": now, **_field_values(data, module_ids)})
            new_data.append((data, status))
            demoted += status != data.status
            report.added += 1
            continue
        question, version = found
        if not same_content(version.data, as_dict(data)):
            _apply_fields(question, data, module_ids)
            question.updated_at = now
            question.status = status
            changed.append((question, data, version.number + 1, status))
            demoted += status != data.status
            report.updated += 1
        elif keep_status and question.status != status:
            status_changes.append((question, status))
            report.updated += 1
        else:
            report.unchanged += 1
    if demoted:
        report.warnings.append(_("%(n)d câu hỏi ghi “đã duyệt” trong tệp được đưa vào hàng chờ duyệt: cần một giảng viên khác duyệt.",
                                   n=demoted))

    # Bulk statements without RETURNING: SQLite cannot return generated keys for a batch,
    # so the ORM would insert row by row. Ids are read back by key, and every question
    # then points at its latest version in one UPDATE.
    if new_rows:
        db.session.execute(insert(Question), new_rows)
        ids = dict(db.session.execute(select(Question.key, Question.id).where(Question.bank_id == bank.id)).all())
        changed += [(None, data, 1, status) for data, status in new_data]
    version_rows = []
    for question, data, number, status in changed:
        data.status = status
        version_rows.append({"question_id": question.id if question is not None else ids[data.key], "number": number, "data": as_dict(data),
                             "created_by_id": actor_id, "change_note": "Nhập từ tệp", "created_at": now})
    if version_rows:
        db.session.execute(insert(QuestionVersion), version_rows)
        latest = select(func.max(QuestionVersion.id)).where(QuestionVersion.question_id == Question.id).scalar_subquery()
        db.session.execute(
            update(Question)
            .where(Question.bank_id == bank.id, or_(Question.current_version_id.is_(None), Question.current_version_id != latest))
            .values(current_version_id=latest, updated_at=Question.updated_at)
            .execution_options(synchronize_session=False)
        )
        for question, *_rest in changed:
            if question is not None:
                db.session.expire(question, ["current_version_id", "current_version"])
    for question, status in status_changes:
        set_status(question, status, actor, "Nhập từ tệp")
    db.session.flush()
    return report


def questions_for_export(bank):
    """The current version of every question of a bank, with its present status."""
    result = []
    for question, version in queries.bank_questions_with_versions(bank.id):
        data = version.question_data()
        data.status = question.status
        result.append(data)
    return result


def preview_import(bank, questions, actor, keep_status=True, default_module=None, module_hint=None, images=None):
    """What import_questions would do, computed inside a savepoint that is rolled back."""
    nested = db.session.begin_nested()
    try:
        return import_questions(bank, questions, actor, keep_status=keep_status, default_module=default_module, module_hint=module_hint,
                                images=images)
    finally:
        nested.rollback()
