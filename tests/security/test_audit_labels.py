"""Every action and every kind of object the journal audits has a label on the audit page.

What is audited is read from the code itself, not from a list kept here: the literal
``object_type`` of every call (``audit(…)``, ``deny(…)``, a module's ``_audit`` helper)
and its defaults, the actions of :data:`journal.security.audit.ACTIONS` and every literal
first argument of ``audit(…)``, and the names the access layer derives from a route's
``<…_id>`` arguments when it records a read or a refusal no view recorded itself.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from journal.security.audit import ACTIONS
from journal.security.audit import audit
from journal.web.audit_labels import ACTION_LABELS
from journal.web.audit_labels import OBJECT_LABELS

ROOT = Path(__file__).resolve().parents[2]
#: The journal and the bundled plugins (their own tests left out).
SOURCES = sorted([*(ROOT / "journal").rglob("*.py"),
                  *(p for p in (ROOT / "plugins").rglob("*.py") if "tests" not in p.parts)])
ROUTE_ID = re.compile(r"<(?:\w+:)?(\w+)_id>")


def _strings(node: ast.AST | None) -> set[str]:
    """The string constants an expression can evaluate to (``"a"``, ``"a" if x else "b"``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def _audited() -> tuple[set[str], set[str]]:
    """Return the object types and the actions the code writes to the audit log."""
    object_types: set[str] = set()
    actions: set[str] = set()
    for path in SOURCES:
        source = path.read_text("utf-8")
        object_types |= set(ROUTE_ID.findall(source))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "object_type":
                        object_types |= _strings(keyword.value)
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name == "audit" and node.args:
                    actions |= _strings(node.args[0])
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                arguments = node.args
                for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults):
                    if argument.arg == "object_type":
                        object_types |= _strings(default)
    return object_types - {""}, actions


def test_the_code_is_read_for_what_it_audits():
    object_types, actions = _audited()
    # A scan that silently finds nothing would pass the tests below.
    assert {"trajectory", "federation_link", "visit", "calendar_feed", "route", "example"} \
        <= object_types
    assert {"view", "denied", "export", "token_create"} <= actions


def test_every_audited_action_is_registered_and_has_a_label():
    _object_types, actions = _audited()
    assert sorted(actions - set(ACTIONS)) == [], "audited actions missing from ACTIONS"
    assert sorted(set(ACTIONS) - set(ACTION_LABELS)) == [], "actions without a label"


def test_every_audited_object_type_has_a_label():
    object_types, _actions = _audited()
    assert sorted(object_types - set(OBJECT_LABELS)) == [], \
        "object types without a label in journal/web/audit_labels.py"


def test_the_audit_page_names_new_kinds_of_objects_in_dutch(app, users, login):
    for object_type in ("visit", "federation_link", "calendar_feed", "attachment"):
        audit("update", object_type=object_type, object_id=f"id-{object_type}",
              user_id=users["teacher"]["id"])
    audit("token_create", object_type="calendar_feed", object_id="feed-1",
          user_id=users["teacher"]["id"])
    client = login(app.test_client(), "coordinator")
    client.post("/account/language", data={"locale": "nl"})  # the test accounts speak English
    page = client.get("/audit/").get_data(as_text=True)
    for dutch in ("klasbezoek id-visit", "koppeling tussen een school en een leersteuncentrum",
                  "agenda-feed id-calendar_feed", "bijgevoegd bestand", "gewijzigd"):
        assert dutch in page
    for code in ("federation_link id-", "calendar_feed id-", ">update<", ">token_create<"):
        assert code not in page
