"""The review workflow of questions: draft → review → approved → retired, and who may set
which status. As in Moodle, the editor chooses the status of a new version, but
"approved" needs a second person unless QUESTION_SELF_APPROVAL is on. Writes flush; the
caller commits. Re-exported by lms.questionbank.services, through which the views call it.
"""
from flask import current_app, has_app_context
from flask_babel import gettext as _

from lms.audit.services import record
from lms.extensions import db
from lms.models_base import utcnow
from lms.questionbank.models import QuestionReview
from lms.questionbank.schema import STATUSES, nfc

# Which status may follow which; "approved" additionally needs can_approve().
TRANSITIONS = {
    "draft": {"review", "approved", "retired"},
    "review": {"approved", "draft", "retired"},
    "approved": {"retired", "draft"},
    "retired": {"draft"},
}


class QuestionBankError(ValueError):
    """A refusal shown to the user, in the language of the request (Vietnamese outside one)."""


def config_value(name, default):
    return current_app.config.get(name, default) if has_app_context() else default


def self_approval_allowed():
    return bool(config_value("QUESTION_SELF_APPROVAL", False))


def can_approve(user, question):
    """A second person approves: not the author, not whoever wrote the current version."""
    if self_approval_allowed():
        return True
    writer = question.current_version.created_by_id if question.current_version else None
    return user.id not in (question.author_id, writer)


def settable_statuses(question=None):
    """The statuses the question form offers: the one it has and the steps the workflow allows
    from it (a new question starts as a draft); "approved" only when the editor may approve the
    version they are writing, which needs self-approval, since the writer of a new version never
    approves it. An approved question edited goes back to review."""
    current = question.status if question is not None else "draft"
    offered = {current} | TRANSITIONS[current] | ({"review"} if current == "approved" else set())
    if not self_approval_allowed():
        offered.discard("approved")
    return [status for status in STATUSES if status in offered]


def status_steps(user, question):
    """The statuses the question page offers to move to: the workflow's next steps, without
    "approved" for someone who may not approve this version."""
    steps = TRANSITIONS[question.status] - (set() if can_approve(user, question) else {"approved"})
    return [status for status in STATUSES if status in steps]


def allowed_target(question, requested, actor):
    if requested == "approved" and not can_approve(actor, question):
        return "review"
    return requested


def set_status(question, status, actor, comment):
    decision = {"approved": "approve", "review": "submit", "retired": "retire"}.get(status)
    if status == "draft":
        decision = "return" if question.status == "review" else "reopen"
    question.status = status
    question.updated_at = utcnow()
    db.session.add(QuestionReview(question_id=question.id, version_id=question.current_version_id,
                                  reviewer_id=actor.id if actor else None, decision=decision, comment=nfc(comment).strip()))


def change_status(question, status, actor, comment=""):
    """One step of the workflow; raises QuestionBankError when it is not allowed."""
    if status not in STATUSES:
        raise QuestionBankError(_("Trạng thái không hợp lệ."))
    if status == question.status:
        return
    if status not in TRANSITIONS[question.status]:
        raise QuestionBankError(_("Không thể chuyển câu hỏi %(key)s từ “%(status)s” sang trạng thái này.", key=question.key,
                                  status=_(question.status_label)))
    if status == "approved" and not can_approve(actor, question):
        raise QuestionBankError(_("Câu hỏi %(key)s: người soạn không được tự duyệt câu hỏi của mình.", key=question.key))
    if status == "draft" and question.status == "review" and not nfc(comment).strip():
        raise QuestionBankError(_("Khi trả lại câu hỏi cần ghi nhận xét cho người soạn."))
    returned = status == "draft" and question.status == "review"
    set_status(question, status, actor, comment)
    if status == "approved" or returned:
        record("question.approve" if status == "approved" else "question.return", target=f"{question.bank_id}:{question.key}")


def bulk_change_status(questions, status, actor, comment=""):
    """Apply one status to many questions; returns (changed count, [problems of the skipped ones])."""
    changed, skipped = 0, []
    for question in questions:
        if question.status == status:
            continue
        try:
            change_status(question, status, actor, comment)
            changed += 1
        except QuestionBankError as error:
            skipped.append(str(error))
    db.session.flush()
    if changed:
        record("question.bulk_status", status=status, changed=changed, skipped=len(skipped))
    return changed, skipped
