"""What the organisation tells the areas built on it when staff change: blinker signals, sent
inside the transaction of the change. The accounts (lms.auth.provisioning) connect to them at
start-up, so that the organisation, below them, imports none of those areas."""
from blinker import Namespace

_signals = Namespace()

# sender: the Staff row; keywords before, after: its status before and after the change
# (before is None for a new record). Sent when the status changed.
staff_status_changed = _signals.signal("staff-status-changed")

# sender: the list of Staff rows a staff import saved or found unchanged; keyword filename.
staff_imported = _signals.signal("staff-imported")
