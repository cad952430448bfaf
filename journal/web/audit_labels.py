"""How the audit page names each action and each kind of object (the exports keep the codes).

Every action in :data:`journal.security.audit.ACTIONS` and every ``object_type`` the
journal writes has a label here: the literal ones in ``audit(…)``/``deny(…)`` calls,
and the ones the access layer takes from a URL's ``<…_id>`` argument (``example`` from
``<example_id>``) when it records a read or a refusal no view recorded itself.
``tests/security/test_audit_labels.py`` reads the code and fails on one without a label.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "login": _l("sign-in"),
    "login_failed": _l("failed sign-in"),
    "logout": _l("sign-out"),
    "view": _l("viewed"),
    "create": _l("created"),
    "update": _l("changed"),
    "delete": _l("deleted"),
    "export": _l("exported"),
    "erase": _l("erased"),
    "denied": _l("refused"),
    "password_change": _l("password changed"),
    "token_create": _l("API key created"),
    "token_revoke": _l("API key revoked"),
    "account": _l("account managed"),
    "plugin": _l("plugin managed"),
    "restore": _l("backup restored"),
    "purge": _l("purged after retention"),
}

OBJECT_LABELS = {
    "adaptation": _l("adaptation"),
    "attachment": _l("attached file"),
    "audit": _l("audit log"),
    "calendar_feed": _l("calendar feed"),
    "caseload": _l("caseload across schools"),
    "comment": _l("comment"),
    "digest": _l("e-mail digest"),
    "dpia": _l("DPIA help"),
    "entry": _l("entry"),
    "example": _l("practice example"),
    "family_link": _l("parent's or pupil's link"),
    "family_page": _l("parents' page"),
    "federation_link": _l("link between a school and a centre"),
    "format": _l("export format"),
    "goal": _l("goal"),
    "handover": _l("handover sheet"),
    "link": _l("link"),
    "mail": _l("mail server"),
    "network_example": _l("example in the network library"),
    "network_library": _l("network library"),
    "note": _l("note in the restricted section"),
    "oidc_provider": _l("sign-in provider"),
    "pairing_code": _l("pairing code"),
    "patterns": _l("patterns"),
    "picture": _l("picture"),
    "plugin": _l("plugin"),
    "practice_example": _l("practice example"),
    "provider": _l("sign-in provider"),
    "pupil": _l("pupil"),
    "restricted": _l("restricted section"),
    "retention": _l("retention"),
    "route": _l("page"),
    "school_template": _l("school template"),
    "settings": _l("settings"),
    "token": _l("API key"),
    "trajectory": _l("trajectory"),
    "transfer_decision": _l("transfer decision"),
    "user": _l("account"),
    "visit": _l("class visit"),
    "voice": _l("words of the pupil or parents"),
}
