"""Help for the school's data protection impact assessment (DPIA): what is
stored where and for how long, and who may do what (derived from the access
rules themselves, so the matrix never drifts from the code)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..security import access
from ..security import restricted
from ..security.audit import audit
from ..storage import get_store
from . import retention

#: table, what it holds, personal data in it, retention.
INVENTORY = (
    ("users", _l("Staff accounts"),
     _l("user name, name, roles, password hash (argon2id), second-factor secret, language, "
        "linked sign-in accounts (provider and its id for the person), e-mail digest choice "
        "and address"),
     _l("until the account is removed")),
    ("pupils", _l("Pupils"), _l("pseudonymous name, class group, leaving date"), "left"),
    ("trajectories", _l("Support trajectories"), _l("educational need, learning question, team, phase, dates"), "closed"),
    ("goals", _l("Goals and evaluations"), _l("goal text, status, evaluations by staff"), "closed"),
    ("entries", _l("Observations, reflections, agreements, one-to-one moments"),
     _l("free text about the pupil's learning and behaviour, template answers, tags"), "closed"),
    ("comments", _l("Comments on entries"), _l("free text by staff"), "closed"),
    ("adaptations", _l("Adaptations register"),
     _l("adaptations tried with the pupil, who applies them, ratings by teachers, promotions "
        "to class or school"), "closed"),
    ("handovers", _l("Handover sheets (what works)"),
     _l("what the pupil needs, what works, what to do when it goes wrong, contacts"), "closed"),
    ("restricted_notes", _l("Restricted section"), _l("diagnoses, reports, health information (art. 9 GDPR)"), "closed"),
    ("attachments", _l("Photos, scans and PDF files"),
     _l("pictures re-encoded without hidden details (place, camera), PDF files, file name, caption"),
     "closed"),
    ("voices", _l("What the pupil and the parents said"),
     _l("their words about the support and the goals, whether they agreed with a goal, date, "
        "who wrote it down (staff member or the name on their personal link)"), "closed"),
    ("family_pages", _l("What the team shares on the parents' page"),
     _l("the chosen goals in plain words, agreements, entries and whether the handover sheet "
        "and the pupil's page are shared"), "closed"),
    ("family_links", _l("Personal links to the parents' and the pupil's page"),
     _l("the name on the link (for example a parent's first name), hashed secret, expiry and "
        "revocation dates, last day opened"), "closed"),
    ("visits", _l("Planned class visits"),
     _l("date, time slot, visiting staff, a short purpose meant to hold no pupil details"), "closed"),
    ("revisions", _l("Earlier versions"), _l("every earlier version of the documents above"), "closed"),
    ("privacy_requests", _l("Register of parents' requests"), _l("date informed, objection to transfer"), "left"),
    ("audit", _l("Audit log"), _l("time, staff id, IP address, action, object and pupil ids (no content)"),
     _l("kept; erasing a pupil leaves only content-free records")),
    ("sessions", _l("Sign-in sessions"), _l("hashed session id, staff id, times"), _l("8 hours at most")),
    ("tokens", _l("API keys"), _l("hashed key, staff id, name, last use"), _l("until revoked")),
    ("calendar_feeds", _l("Personal calendar feeds"),
     _l("hashed secret address, staff id, what the feed may show, last use"), _l("until revoked")),
    ("digests", _l("E-mail digests"),
     _l("staff id, period, counts sent, delivery attempts and the mail server's last error"),
     _l("90 days")),
    ("oidc_pending", _l("Sign-ins under way at a provider"),
     _l("hashed state, nonce, PKCE verifier, staff id when linking"), _l("10 minutes")),
    ("throttle", _l("Failed sign-in counters"), _l("hash of user name or address, counts"), _l("1 hour after the last failure")),
    ("federation_links", _l("Links with a learning-support centre or its schools"),
     _l("the other side's name, address and public key, this side's private key (wiped when "
        "the link ends), what is shared, who made or ended the link"),
     _l("kept as a record of the link; the private key goes when it ends")),
    ("federation_nonces", _l("Signed calls seen over a link"),
     _l("hash of each call's one-time value, link id, time (no content)"), _l("minutes")),
    ("pairing_codes", _l("A centre's pairing codes"),
     _l("hashed code, the link's id and private key, who made it"),
     _l("until used, or removed once expired")),
    ("network_examples", _l("A centre's network library"),
     _l("anonymised practice examples published by linked schools (no pupil data), "
        "the publishing school"),
     _l("until the school withdraws it or its link ends")),
    ("practice_examples", _l("Practice examples"),
     _l("anonymised examples shared with and imported from other schools (no pupil data), "
        "who imported or adopted them"), _l("until removed")),
    ("school_templates", _l("The school's own entry templates"),
     _l("template texts, who saved each version"), _l("kept, so old entries keep their form")),
    ("template_snapshots", _l("Entry template versions in use"),
     _l("the form each entry was written with (no personal data)"),
     _l("kept, so old entries keep their form")),
    ("vocabulary_snapshots", _l("Focus areas and reflection models plugins offered"),
     _l("their names and texts (no personal data)"), _l("kept, so old records keep their words")),
    ("settings", _l("Settings"),
     _l("no personal data; the sign-in providers' client secrets"), _l("not applicable")),
)


def inventory() -> list[dict]:
    """Return the data inventory with the current number of documents per table."""
    store = get_store()
    months = retention.periods()
    rules = {"left": _l("%(n)s months after the pupil left", n=months["left_months"]),
             "closed": _l("%(n)s months after the trajectory closed (or with the pupil)",
                          n=months["closed_months"])}
    tables = store.db.tables()

    def documents(table: str) -> int:
        if table == "audit":  # its own file (journal.storage.audit_trail), not a table
            return store.audit.trail.count()
        return len(store.db.table(table).documents_readonly()) if table in tables else 0

    out = []
    for table, what, data, kept in INVENTORY:
        out.append({"table": table, "what": str(what), "personal_data": str(data),
                    "retention": str(rules.get(kept, kept)), "documents": documents(table)})
    for table in sorted(t for t in tables if t.startswith("plugin:")):
        out.append({"table": table, "what": str(_l("Plugin data")),
                    "personal_data": str(_l("see the plugin's documentation")),
                    "retention": str(rules["closed"]), "documents": documents(table)})
    return out


#: The capabilities the matrix reports, with the question they answer.
CAPABILITIES = (
    ("read_member", _l("Read a trajectory they are a member of")),
    ("read_other", _l("Read any other trajectory of the school")),
    ("write_member", _l("Write entries in a trajectory they are a member of")),
    ("manage_member", _l("Manage a trajectory they are a member of (team, phase)")),
    ("manage_other", _l("Manage any trajectory")),
    ("restricted_member", _l("See the restricted section of their trajectories")),
    ("open_trajectory", _l("Open a new trajectory")),
    ("audit", _l("Read and export the audit log")),
    ("admin", _l("Manage accounts, plugins and settings")),
    ("privacy", _l("Make inspection copies and transfer packages, erase a pupil")),
    ("retention", _l("Confirm retention purges")),
)


def access_matrix() -> list[dict]:
    """Return, per role, which capabilities it has (computed with the access rules)."""
    rows = []
    for role in access.SCHOOL_ROLES:
        user = {"id": "u", "roles": [role], "active": True}
        team_role = role if role in ("teacher", "support", "coordinator") else "teacher"
        member_of = {"id": "t1", "members": [{"user_id": "u", "role": team_role}]}
        other = {"id": "t2", "members": [{"user_id": "someone", "role": "teacher"}]}
        has = {
            "read_member": access.can(user, access.READ, member_of),
            "read_other": access.can(user, access.READ, other),
            "write_member": access.can(user, access.WRITE, member_of),
            "manage_member": access.can(user, access.MANAGE, member_of),
            "manage_other": access.can(user, access.MANAGE, other),
            "restricted_member": access.can(user, access.READ, member_of)
            and role in restricted.allowed_roles(),
            "open_trajectory": access.can(user, "open_trajectory"),
            "audit": access.can(user, "audit"),
            "admin": access.can(user, "admin"),
            "privacy": role == "coordinator",
            "retention": role == "admin",
        }
        rows.append({"role": role, **has})
    return rows


def record_export(actor: dict, fmt: str) -> None:
    """Write the audit record of ``actor`` downloading the inventory and matrix.

    :raise Forbidden: ``actor`` is neither a care coordinator nor an administrator (audited).
    """
    access.check_role(actor, "coordinator", "admin")
    audit("export", object_type="dpia", user_id=actor["id"], detail=fmt)
