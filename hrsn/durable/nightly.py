"""The automatic backup: while `hrsn serve` runs, a background thread makes one archive a day (then verifies),
with the passphrase's public key the admin set; it never needs the passphrase itself."""
import threading
from datetime import timedelta

from hrsn.extensions import db
from hrsn.models import CareRun, utcnow

EVERY = timedelta(hours=23)        # a day, give or take the hour the check runs on
CHECK_SECONDS = 15 * 60


def run_once() -> str:
    """Back up (and verify) when the last backup is a day old; what was done: skipped, no-key, done, or an error
    code (kept as a failed run, which the admin's page shows)."""
    from hrsn.durable import archive, verify
    from hrsn.durable.sealed import Refused
    if archive.stored_key() is None:
        return "no-key"
    last = archive.last_backup()
    if last is not None and utcnow() - last.at < EVERY:
        return "skipped"
    try:
        archive.backup(how="automatic")
    except Refused as error:
        db.session.rollback()
        db.session.add(CareRun(kind="backup", ok=False, how="automatic", summary={"error": error.code}))
        db.session.commit()
        return error.code
    db.session.commit()
    result = verify.run()
    verify.record(result, how="automatic")
    db.session.commit()
    return "done"


def start(app, check_seconds: int = CHECK_SECONDS) -> threading.Event:
    """Start the thread; setting the returned event stops it."""
    stop = threading.Event()

    def loop():
        while not stop.wait(check_seconds):
            with app.app_context():
                try:
                    run_once()
                except Exception:          # noqa: BLE001 (the server keeps serving; the log says it failed)
                    app.logger.exception("the automatic backup failed")
                finally:
                    db.session.remove()

    threading.Thread(target=loop, name="hrsn-backup", daemon=True).start()
    return stop
