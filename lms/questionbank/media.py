"""Question images: who may fetch one (the one place that decides), serving it, uploading it.
Registered by blueprint.py; the image itself is served under /media/questions/."""
from flask import abort, flash, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.access import load_or_404, roles_allowed
from lms.courses.media_access import image_in_own_practice
from lms.downloads import download
from lms.errors import wants_json
from lms.exams.take.media_access import image_on_own_paper
from lms.extensions import db
from lms.questionbank import queries, services, transfer
from lms.questionbank.access import load_bank
from lms.questionbank.forms import ImageForm
from lms.questionbank.models import QuestionBank, QuestionImage
from lms.redirects import redirect_back
from lms.routing import Routes

routes = Routes()


def media_access_allowed(user, image):
    """A trainer of the image's bank; a candidate it was shown to on their paper (never one only
    its key or feedback holds); a learner whose practice quiz had its question."""
    if user.has_role("trainer", "admin") and image.bank_id is not None:
        bank = db.session.get(QuestionBank, image.bank_id)
        if bank is not None and queries.can_access_bank(user, bank):
            return True
    return image_on_own_paper(user, image) or image_in_own_practice(user, image)


def media_url(image_id):
    return url_for("questionbank.media", image_id=image_id)


@roles_allowed("trainer", "admin", "learner")
def media(image_id):
    image = load_or_404(QuestionImage, image_id)
    if not media_access_allowed(current_user, image):
        abort(403)
    return download(image.content, image.filename or f"image-{image.id}", image.content_type, inline=True)


@routes.route("/banks/<int:bank_id>/images", methods=("POST",))
def image_upload(bank_id):
    bank = load_bank(bank_id)
    form = ImageForm()
    if not form.validate_on_submit():
        return _image_answer(None, _("Chưa chọn ảnh."), bank)
    upload = form.file.data
    try:
        image = transfer.store_image(bank, upload.filename, upload.read(), current_user)
    except services.QuestionBankError as error:
        return _image_answer(None, str(error), bank)
    return _image_answer(image, None, bank)


def _image_answer(image, error, bank):
    if wants_json():
        if error:
            return jsonify({"error": 400, "message": error}), 400
        url = media_url(image.id)
        return jsonify({"id": image.id, "url": url, "markdown": f"![]({url})"})
    if error:
        flash(error, "danger")
    else:
        flash(_("Đã tải ảnh lên. Chèn vào nội dung: %(m)s", m=f"![]({media_url(image.id)})"), "success")
    return redirect_back(request.form.get("next"), url_for("questionbank.bank_detail", bank_id=bank.id))
