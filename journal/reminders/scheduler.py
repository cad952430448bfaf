"""The digest sender inside ``journal serve``: a daemon thread that calls
:func:`journal.reminders.digests.run_once` every few minutes.

Several processes may run it (and a cron job besides): the digests module
records each period once under the storage lock, so nobody gets a digest twice.
"""

from __future__ import annotations

import threading

from flask import Flask

from . import digests
from . import mail


def start(app: Flask) -> threading.Event | None:
    """Start the sender thread when mail is set up and ``JOURNAL_DIGEST_SCHEDULER`` is on.

    :return: an event that stops the thread when set, or ``None`` if none was started.
    """
    with app.app_context():
        if not app.config.get("JOURNAL_DIGEST_SCHEDULER") or not mail.configured():
            return None
    interval = float(app.config.get("JOURNAL_DIGEST_INTERVAL_SECONDS", 300))
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                with app.app_context():
                    digests.run_once()
            except Exception:  # never let one bad run end the sender; the log says why
                app.logger.exception("sending e-mail digests failed")
            stop.wait(interval)

    threading.Thread(target=loop, name="journal-digests", daemon=True).start()
    app.extensions["journal.digest_scheduler"] = stop
    return stop
