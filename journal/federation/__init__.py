"""Federation: a school's journal linked to a leersteuncentrum's (docs/federation.md).

Each school stays the controller of its pupils' files; a link lets its centre
ask, with signed calls, for what the school's admin decided to share:

* ``keys.py`` — Ed25519 key pairs, one per link and side;
* ``signing.py`` — HTTP Message Signatures (RFC 9421) on every call and answer,
  replay and clock-skew refused, refusals audited;
* ``pairing.py`` — the one-time code that makes a link;
* ``links.py`` — the link records, what a school shares, revoking;
* ``client.py`` — signed calls, several schools at once with timeouts;
* ``endpoints.py`` — the calls each side answers (``/federation/v1/…``);
* ``caseload.py``, ``shared_patterns.py``, ``library.py`` — what crosses a link.

The centre's own pages are in :mod:`journal.centre`; the school admin's in
:mod:`journal.web.admin_federation`.
"""

from __future__ import annotations
