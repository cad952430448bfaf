"""The journal's domain errors: what a service says when a change cannot happen.

Services (``journal.process``, ``journal.privacy``, …) never call Flask's
``abort`` or read the request: they raise one of these, and one handler per
surface turns it into an answer (``journal.web`` into an HTML page,
``journal.api`` into JSON, ``journal.cli`` into a one-line message). This module
imports nothing of the journal, so every layer can raise them.

=====================  ======  ==================================================
error                  status  meaning
=====================  ======  ==================================================
:class:`NotFound`       404    no such thing, *or* the actor may not know it exists
:class:`Forbidden`      403    the actor may see it but not do this to it
:class:`ValidationError` 400   the input cannot be saved as it is (messages per field)
:class:`StaleRevision`  409    someone saved a newer version in between
=====================  ======  ==================================================
"""

from __future__ import annotations


class JournalError(Exception):
    """Base class of the domain errors; :attr:`status` is the HTTP status it maps to."""

    status = 500


class NotFound(JournalError, LookupError):
    """No such document, or one the actor may not learn exists (both answer 404)."""

    status = 404


class Forbidden(JournalError):
    """The actor may see the object but not do this action to it (403)."""

    status = 403


class ValidationError(JournalError, ValueError):
    """The input cannot be saved as it is.

    :ivar errors: messages per field name, shown next to the fields.
    """

    status = 400

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(str(m) for ms in errors.values() for m in ms))
        self.errors = errors


class StaleRevision(JournalError):
    """The document changed since the revision the caller last saw.

    :ivar current: the document as it is now stored, so the caller can show
        both versions and let the user merge.
    """

    status = 409

    def __init__(self, current: dict):
        super().__init__(f"stale revision; current is {current.get('rev')}")
        self.current = current
