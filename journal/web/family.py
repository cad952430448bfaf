"""The parents' page and the pupil's page, opened through a personal link (no account).

The URL is the capability (``/family/<token>``): pages are never cached
(``Cache-Control: no-store``), never indexed, and no page sends a referrer
(the journal-wide ``Referrer-Policy: no-referrer``; the pages link nowhere
outside anyway). An unknown, revoked or expired link answers with the journal's
ordinary 404 page and counts against the visitor's address in the sign-in
throttle, so guessing links is as slow as guessing passwords. The reaction
and agreement forms carry the CSRF token like every form. The pages are in
Dutch unless the visitor picked English with the language switch.
"""

from __future__ import annotations

from contextlib import contextmanager

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ..errors import NotFound
from ..errors import ValidationError
from ..process import family_page as service
from ..process import handover
from ..security import access
from ..security import throttle

bp = Blueprint("family", __name__, url_prefix="/family")

TEMPLATES = {"parent": "family/parents.html", "pupil": "family/pupil.html"}


@contextmanager
def _dutch_unless_chosen():
    chosen = session.get("locale")
    with force_locale(chosen if chosen in current_app.config["JOURNAL_LANGUAGES"] else "nl"):
        yield


def _check_throttle() -> None:
    if throttle.wait_seconds(None, request.remote_addr):
        abort(429)


def _refused():
    """The same 404 as for any unknown page; the attempt counts against the address."""
    throttle.record_failure(None, request.remote_addr)
    abort(404)


def _private(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _render(token: str, page: dict, *, form: dict | None = None, errors: dict | None = None,
            status: int = 200):
    audience = page["link"]["audience"]
    html = render_template(TEMPLATES[audience], token=token, preview=False,
                           form=form or {"text": "", "goal_id": ""}, errors=errors or {},
                           handover_parts=handover.PARTS, **page)
    return _private(current_app.make_response((html, status)))


@bp.route("/<token>")
@access.public
def page(token: str):
    """What the team shares with this parent (or the pupil), with their reactions."""
    _check_throttle()
    with _dutch_unless_chosen():
        try:
            page_data = service.open_page(token)
        except NotFound:
            _refused()
        return _render(token, page_data)


@bp.route("/<token>/react", methods=["POST"])
@access.public
def react(token: str):
    """Send a message to the team (it lands on the trajectory's timeline)."""
    _check_throttle()
    form = {"text": request.form.get("text", ""), "goal_id": request.form.get("goal_id", "")}
    with _dutch_unless_chosen():
        try:
            service.react(token, form)
        except NotFound:
            _refused()
        except ValidationError as exc:
            return _render(token, service.open_page(token), form=form, errors=exc.errors,
                           status=400)
        flash(_("Thank you. The team will read your message."), "success")
    return _private(redirect(url_for(".page", token=token) + "#react"))


@bp.route("/<token>/agree", methods=["POST"])
@access.public
def agree(token: str):
    """Say "I agree" with a goal on the page."""
    _check_throttle()
    goal_id = request.form.get("goal_id", "")
    with _dutch_unless_chosen():
        try:
            service.agree(token, goal_id)
        except NotFound:
            _refused()
        except ValidationError as exc:
            for messages in exc.errors.values():
                for message in messages:
                    flash(message, "warning")
            return _private(redirect(url_for(".page", token=token)))
        flash(_("Thank you. The team now knows you agree with this goal."), "success")
    return _private(redirect(url_for(".page", token=token) + "#goal-" + goal_id))
