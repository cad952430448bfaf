"""The web interface: server-rendered pages, one blueprint per part of the process."""

from __future__ import annotations

from flask import Flask
from flask import render_template
from flask import request
from flask_wtf.csrf import CSRFError
from flask_wtf.csrf import CSRFProtect

from ..errors import JournalError
from ..security.access import enforce_declared

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Register CSRF protection, the blueprints, template helpers and error pages."""
    from . import account
    from . import admin_accounts
    from . import admin_mail
    from . import admin_signin
    from . import audit
    from . import auth
    from . import health
    from . import home
    from . import reminders
    from . import signin
    from .helpers import init_templates

    csrf.init_app(app)
    enforce_declared(app)
    from ..config import is_centre
    from ..federation import endpoints as federation_calls

    # Both kinds: signing in, one's account, accounts and sign-in providers, the audit log.
    for module in (auth, home, account, admin_accounts, signin, admin_signin, audit, health):
        app.register_blueprint(module.bp)
    app.register_blueprint(reminders.bp)  # calendar feed and e-mail digest (docs/reminders.md)
    app.register_blueprint(admin_mail.bp)  # the mail server and the e-mail digests' state
    # The signed calls between linked journals (docs/federation.md): no cookies, no CSRF.
    for blueprint in federation_calls.blueprints(app):
        app.register_blueprint(blueprint)
        csrf.exempt(blueprint)
    if is_centre(app):
        # A leersteuncentrum keeps no pupil files: none of the school's pages exist there.
        from .. import centre

        centre.init_app(app)
    else:
        _register_school_pages(app)
    init_templates(app)
    from .. import brevity

    app.add_template_global(brevity.summary, "entry_brief")  # long entries as a short list
    app.add_template_global(brevity.describe_length, "entry_words")

    for status in (400, 403, 404, 405, 409, 413, 429, 500):
        app.register_error_handler(status, _error_page)
    app.register_error_handler(CSRFError, lambda e: _error_page(e, 400))
    # A service's refusal (journal.errors) that no view turned into a page of its own.
    app.register_error_handler(JournalError, lambda e: _error_page(e, e.status))
    from ..storage.errors import StorageError

    app.register_error_handler(StorageError, _storage_error_page)


def _register_school_pages(app: Flask) -> None:
    """The pupil files and everything around them: a school's journal only."""
    from ..api import bp as api_bp
    from . import adaptations
    from . import admin
    from . import admin_federation
    from . import admin_plugins
    from . import attachments
    from . import entries
    from . import entry_cards
    from . import exports
    from . import goals
    from . import handover
    from . import network
    from . import patterns
    from . import practice
    from . import privacy
    from . import pupils
    from . import restricted
    from . import school_templates
    from . import search
    from . import synthesis
    from . import trajectories
    from . import visits
    from . import voices
    from ..plugins import wiring as plugin_wiring

    for module in (trajectories, pupils, entries, goals, voices, admin, search):
        app.register_blueprint(module.bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # the API authenticates with Bearer tokens, never cookies
    app.register_blueprint(admin_plugins.bp)
    app.register_blueprint(restricted.bp)
    app.register_blueprint(privacy.bp)
    app.register_blueprint(school_templates.bp)  # a school's own entry templates
    for module in (adaptations, handover, synthesis, exports):  # issue #6: register, handover, synthesis
        app.register_blueprint(module.bp)
    from . import family
    from . import sharing

    app.register_blueprint(sharing.bp)  # what the team shares with the parents, the links
    app.register_blueprint(family.bp)  # the parents' and the pupil's page (personal links)
    app.register_blueprint(patterns.bp)
    app.register_blueprint(practice.bp)
    app.register_blueprint(visits.bp)  # planned class visits (journal.process.visits)
    app.register_blueprint(network.bp)  # practice examples through a linked centre
    app.register_blueprint(admin_federation.bp)  # the school's links to centres
    attachments.init_app(app)  # photos, scans and PDFs (served after their owner's access check)
    entry_cards.init_app(app)  # entry helpers for every page that shows entries
    # Plugin pages come after the core ones, so a plugin can never take a core name.
    plugin_wiring.register_blueprints(app, app.extensions["journal.plugins"])


def _error_page(error, status: int | None = None):
    status = status or getattr(error, "code", 500) or 500
    if request.path.startswith("/api/"):
        # 404/405 under /api/ arise before routing finds the API blueprint: answer JSON too.
        from ..api.errors import error_response

        return error_response(error, status)
    return render_template("errors/error.html", status=status), status


#: Form fields never shown back on the "not saved" page.
_SECRET_FIELDS = ("csrf", "password", "token", "code", "secret")


def _storage_error_page(error):
    """503 for storage failures: a save that did not happen, or data the journal will not use."""
    from markupsafe import escape
    from flask_babel import gettext as _

    from ..storage.errors import StorageWriteError

    saving = isinstance(error, StorageWriteError)
    if saving:
        message = _("Your change was not saved: the journal could not write to its storage. "
                    "Nothing saved earlier is lost. Try again later.")
    else:
        message = _("The journal cannot use its stored data right now; nothing was changed.")
    if request.path.startswith("/api/"):
        from ..api.errors import ApiError
        from ..api.errors import error_response

        return error_response(ApiError(503, message))
    typed = [(name, value) for name, value in request.form.items(multi=True)
             if value.strip() and not any(s in name.lower() for s in _SECRET_FIELDS)]
    try:
        return render_template("errors/storage.html", saving=saving, typed=typed), 503
    except Exception:
        # The page layout itself may need the store; say it plainly instead.
        return f"<!doctype html><title>503</title><p>{escape(message)}</p>", 503

