"""Wiring loaded plugins into Flask: their pages, their commands, page fragments.

Flask cannot add routes after the first request, so every loaded plugin's
blueprints are registered when the app is created, under ``/p/<plugin name>/``,
and a ``before_request`` guard answers 404 while the plugin is disabled.
Commands are added as ``journal <plugin name> …`` and refuse to run while the
plugin is disabled.
"""

from __future__ import annotations

import click
from flask import Blueprint
from flask import Flask
from flask import abort
from flask import request
from flask.cli import AppGroup
from flask.cli import with_appcontext


def init_app(app: Flask, host) -> None:
    """Add plugin commands, the fragment helper for templates and the page guard."""
    add_commands(app, host)

    @app.template_global("plugin_fragments")
    def plugin_fragments(slot: str, **context):
        """Return the sanitised HTML the active plugins add to page ``slot``."""
        return host.fragments(slot, context)

    @app.before_request
    def hide_disabled_plugin_pages():
        blueprint = (request.blueprint or "").split(".")[0]
        owner = host.blueprint_owners.get(blueprint)
        if owner is not None and not host.is_active(owner):
            abort(404)


def _loaded(host, names) -> list[str]:
    return sorted(n for n, r in host.records.items()
                  if r.status == "loaded" and (names is None or n in names))


def register_blueprints(app: Flask, host, names=None) -> None:
    """Mount every loaded plugin's blueprints under ``/p/<name>/`` (after the core ones).

    A view that declares no access decision gets ``access.login_required``, so
    plugin pages are never public by accident.

    :param names: only these plugins (tests register plugins after app creation).
    """
    from journal.security import access

    for name in _loaded(host, names):
        blueprints = host.call_plugin(name, "journal_blueprints", default=[])
        if not isinstance(blueprints, (list, tuple)) or not all(
            isinstance(bp, Blueprint) for bp in blueprints
        ):
            host.invalid(name, "journal_blueprints", "not a list of Blueprints")
            continue
        for bp in blueprints:
            prefix = f"/p/{name}" + (bp.url_prefix or "")
            try:
                app.register_blueprint(bp, url_prefix=prefix)
            except Exception as exc:  # e.g. a blueprint name taken by the core
                host.record_failure(name, "journal_blueprints", exc)
                continue
            host.blueprint_owners[bp.name] = name
            for endpoint, view in list(app.view_functions.items()):
                if endpoint.split(".")[0] == bp.name and not hasattr(view, "access_decision"):
                    app.view_functions[endpoint] = access.login_required(view)


def add_commands(app: Flask, host, names=None) -> None:
    """Add each loaded plugin's commands as ``journal <plugin name> …``."""
    for name in _loaded(host, names):
        commands = host.call_plugin(name, "journal_cli_commands", default=[])
        if not isinstance(commands, (list, tuple)) or not all(
            isinstance(c, click.Command) for c in commands
        ):
            host.invalid(name, "journal_cli_commands", "not a list of click commands")
            continue
        if not commands:
            continue
        if name in app.cli.commands:
            host.invalid(name, "journal_cli_commands", f"the command name {name!r} is taken")
            continue
        group = AppGroup(name, help=f"Commands of the plugin {name}.")
        group.callback = with_appcontext(_require_active(host, name))
        for command in commands:
            group.add_command(command)
        app.cli.add_command(group)


def _require_active(host, name: str):
    def check() -> None:
        if not host.is_active(name):
            raise click.ClickException(f"The plugin {name} is not enabled "
                                       f"(journal plugins enable {name}).")

    return check
