"""URL table of the question banks, under /questionbank, for trainers and administrators; the
images are served under /media/questions/ (where the sanitiser lets <img src> point)."""
from flask import Blueprint

from lms.auth.access import require_roles
from lms.questionbank import media, views, views_transfer

bp = require_roles(Blueprint("questionbank", __name__, url_prefix="/questionbank"), "trainer", "admin")
for module in (media, views, views_transfer):
    module.routes.register(bp)


def _register_media_route(state):
    # Outside the /questionbank prefix, yet an endpoint of this blueprint, so that its role
    # gate (learners let through by the view's @roles_allowed) and the route tests cover it.
    state.app.add_url_rule("/media/questions/<int:image_id>", endpoint="questionbank.media", view_func=media.media)


bp.record_once(_register_media_route)
