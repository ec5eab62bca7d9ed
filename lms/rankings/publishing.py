"""Publishing a ranking from a page or a command: two publishers racing for the same version
number get a clear refusal, not a database error."""
from sqlalchemy.exc import IntegrityError

from lms.audit.services import record
from lms.extensions import db
from lms.messages import N_
from lms.rankings.service import RankingError, publish


def publish_safely(period, bloc, user, note=""):
    try:
        with db.session.begin_nested():
            publication = publish(period, bloc, user, note)
    except IntegrityError:
        raise RankingError(N_("Một người khác vừa công bố bảng xếp hạng này; hãy tải lại trang và xem phiên bản mới.")) from None
    record("ranking.publish", f"{bloc.code}/{period.label}", actor=user, version=publication.version)
    return publication
