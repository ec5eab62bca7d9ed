"""Loading a bank or a question for the signed-in trainer: 404 when missing, 403 for a bank
neither owned by nor shared with them (administrators reach every bank)."""
from flask import abort
from flask_login import current_user

from lms.auth.access import load_or_404
from lms.questionbank import queries
from lms.questionbank.models import Question, QuestionBank


def load_bank(bank_id):
    """404 for a missing bank, 403 for a bank neither owned by nor shared with the user."""
    bank = load_or_404(QuestionBank, bank_id)
    if not queries.can_access_bank(current_user, bank):
        abort(403)
    return bank


def load_question(question_id):
    question = load_or_404(Question, question_id)
    load_bank(question.bank_id)
    return question
