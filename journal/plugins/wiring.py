"""Wiring loaded plugins into Flask: their pages, their commands, page fragments.

Flask cannot add routes after the first request, so every loaded plugin's
blueprints are registered when the app is created, under ``/p/<plugin name>/``,
and a ``before_request`` guard answers 404 while the plugin is disabled.
Commands are added as ``journal <plugin name> …`` and refuse to run while the
plugin is disabled.

Every plugin view is wrapped (:func:`plugin_view`): what it returns is HTML
from plugin code, so it passes the page sanitiser
(:func:`journal.rendering.sanitize_page_html`). A page rendered with the
``plugin_page.html`` layout has its ``page`` block sanitised there and keeps
the journal's layout; any other HTML the view returns is sanitised whole. An
exception in a plugin view is recorded on the plugin (admin page) before the
journal answers with its error page.
"""

from __future__ import annotations

import functools

import click
from flask import Flask
from flask import abort
from flask import current_app
from flask import g
from flask import request
from flask.cli import AppGroup
from flask.cli import with_appcontext
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from journal.rendering import sanitize_page_html
from journal.security import access


def init_app(app: Flask, host) -> None:
    """Add plugin commands, the fragment helper and page layout filter, and the page guard."""
    add_commands(app, host)

    @app.template_global("plugin_fragments")
    def plugin_fragments(slot: str, **context) -> list[Markup]:
        """Return the sanitised HTML the active plugins add to page ``slot``.

        ``context`` is what the page shows (``trajectory``, ``entry``…); the
        signed-in ``user`` is added.
        """
        context.setdefault("user", g.get("user"))
        return host.fragments(slot, context)

    @app.template_filter("plugin_page_html")
    def plugin_page_html(html: str) -> Markup:
        """Sanitise the ``page`` block of ``plugin_page.html`` (a plugin page's own HTML)."""
        g.plugin_page_layout = True
        return sanitize_page_html(str(html))

    @app.before_request
    def hide_disabled_plugin_pages():
        owner = host.blueprint_owners.get((request.blueprint or "").split(".")[0])
        if owner is not None and not host.is_active(owner):
            abort(404)


def _loaded(host, names) -> list[str]:
    return sorted(n for n, r in host.records.items()
                  if r.status == "loaded" and not r.builtin and (names is None or n in names))


def register_blueprints(app: Flask, host, names=None) -> None:
    """Mount every loaded plugin's blueprints under ``/p/<name>/`` (after the core ones).

    A view that declares no access decision gets ``access.login_required``, so
    plugin pages are never public by accident; every view is wrapped by
    :func:`plugin_view`.

    :param names: only these plugins (tests register plugins after app creation).
    """
    for name in _loaded(host, names):
        for bp in host.call_plugin(name, "journal_blueprints", default=[]):
            prefix = f"/p/{name}" + (bp.url_prefix or "")
            try:
                app.register_blueprint(bp, url_prefix=prefix)
            except Exception as exc:  # e.g. a blueprint name taken by the core
                host.record_failure(name, "journal_blueprints", exc)
                continue
            host.blueprint_owners[bp.name] = name
            for endpoint, view in list(app.view_functions.items()):
                if endpoint.split(".")[0] != bp.name:
                    continue
                wrapped = plugin_view(host, name, view)
                if getattr(view, "access_decision", None) is None:
                    wrapped = access.login_required(wrapped)
                app.view_functions[endpoint] = wrapped


def plugin_view(host, name: str, view):
    """Wrap plugin ``name``'s view: sanitise the HTML it returns, record its exceptions."""

    @functools.wraps(view)
    def guarded(**kwargs):
        g.plugin_page_layout = False
        try:
            response = current_app.make_response(view(**kwargs))
        except HTTPException:
            raise
        except Exception as exc:
            host.remember_failure(name, f"page {request.endpoint}", exc)
            raise
        if (response.mimetype == "text/html" and not response.direct_passthrough
                and not g.plugin_page_layout):
            response.set_data(str(sanitize_page_html(response.get_data(as_text=True))))
        return response

    return guarded


def add_commands(app: Flask, host, names=None) -> None:
    """Add each loaded plugin's commands as ``journal <plugin name> …``."""
    for name in _loaded(host, names):
        commands = host.call_plugin(name, "journal_cli_commands", default=[])
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
