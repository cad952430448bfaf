"""The admin "Plugins" page: what is installed, enabling, settings, errors.

The page reads the host's load records only and never calls plugin code to
list plugins, so it keeps working whatever a plugin does. Enabling and
disabling take effect on the next request, without a restart.
"""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from ..plugins import hookspecs
from ..plugins.host import get_plugins
from ..security import access
from ..security.audit import audit

bp = Blueprint("admin_plugins", __name__, url_prefix="/admin/plugins")

#: Setting keys containing these words are secrets: never shown, kept when left empty.
SECRET_WORDS = ("secret", "password", "token", "api_key", "apikey")


def is_secret(key: str) -> bool:
    """Return whether setting ``key`` holds a secret."""
    return any(word in key.lower() for word in SECRET_WORDS)


@bp.route("/")
@access.role_required("admin")
def index():
    """List every plugin with its source, version, status, hooks and last error."""
    host = get_plugins()
    return render_template(
        "admin_plugins/index.html", plugins=host.describe(),
        safe_mode=current_app.config["JOURNAL_SAFE_MODE"],
        blocked=current_app.config["JOURNAL_BLOCKED_PLUGINS"] or [],
        renamed_hooks=hookspecs.RENAMED_HOOKS,
    )


@bp.route("/<name>/enable", methods=["POST"])
@access.role_required("admin")
def enable(name: str):
    """Enable an installed plugin for this school."""
    host = get_plugins()
    record = host.records.get(name)
    if record is None or record.builtin:
        abort(404)
    host.enable(name)
    audit("plugin", object_type="plugin", object_id=name, detail="enable")
    if record.status == "loaded":
        flash(_("%(name)s is enabled.", name=record.title or name), "success")
    else:
        flash(_("%(name)s is enabled but did not load, so it does nothing yet.",
                name=record.title or name), "warning")
    return redirect(url_for(".index"))


@bp.route("/<name>/disable", methods=["POST"])
@access.role_required("admin")
def disable(name: str):
    """Disable a plugin: its templates are no longer offered, old entries still show."""
    host = get_plugins()
    record = host.records.get(name)
    if record is None and name not in host.enabled_names():
        abort(404)
    if record is not None and record.builtin:
        audit("plugin", object_type="plugin", object_id=name, outcome="refused", detail="disable")
        flash(_("%(name)s is part of the journal itself and is always on.",
                name=record.title or name), "error")
        return redirect(url_for(".index")), 303
    host.disable(name)
    audit("plugin", object_type="plugin", object_id=name, detail="disable")
    flash(_("%(name)s is disabled.", name=(record.title if record else "") or name), "success")
    return redirect(url_for(".index"))


@bp.route("/<name>/settings", methods=["GET", "POST"])
@access.role_required("admin")
def settings(name: str):
    """Show and change a plugin's declared settings."""
    host = get_plugins()
    record = host.records.get(name)
    if record is None or not record.default_settings:
        abort(404)
    current = host.plugin_settings(name)
    fields = _fields(record.default_settings, current)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values, errors = parse_settings(record.default_settings, request.form)
        for field in fields:
            field["value"] = request.form.get(field["input"], "") if field["kind"] != "bool" \
                else field["input"] in request.form
        if not errors:
            errors = {f"s_{k}" if k else "": v for k, v in host.save_settings(name, values).items()}
        if not errors:
            audit("plugin", object_type="plugin", object_id=name, detail="settings")
            flash(_("The settings of %(name)s are saved.", name=record.title or name), "success")
            return redirect(url_for(".settings", name=name))
    return render_template("admin_plugins/settings.html", record=record, fields=fields,
                           errors=errors), 400 if errors else 200


def _fields(defaults: dict, current: dict) -> list[dict]:
    out = []
    for key, default in defaults.items():
        kind = _kind(default)
        value = current.get(key, default)
        if kind == "list":
            value = "\n".join(str(v) for v in value)
        out.append({"key": key, "input": f"s_{key}", "kind": kind, "default": default,
                    "secret": is_secret(key), "value": "" if is_secret(key) else value})
    return out


def _kind(default) -> str:
    if isinstance(default, bool):
        return "bool"
    return {int: "int", float: "float", list: "list"}.get(type(default), "str")


def parse_settings(defaults: dict, form) -> tuple[dict, dict[str, list[str]]]:
    """Convert a submitted settings form to typed values; return ``(values, errors)``.

    A secret left empty keeps its stored value (it is not in ``values``).
    """
    values: dict = {}
    errors: dict[str, list[str]] = {}
    for key, default in defaults.items():
        name = f"s_{key}"
        raw = form.get(name, "")
        kind = _kind(default)
        if kind == "bool":
            values[key] = name in form
        elif kind == "int":
            try:
                values[key] = int(raw)
            except ValueError:
                errors[name] = [_("Enter a whole number.")]
        elif kind == "float":
            try:
                values[key] = float(raw.replace(",", "."))
            except ValueError:
                errors[name] = [_("Enter a number.")]
        elif kind == "list":
            values[key] = [line.strip() for line in raw.splitlines() if line.strip()]
        elif raw or not is_secret(key):
            values[key] = raw.strip()
    return values, errors
