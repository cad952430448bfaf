"""Reminders on the account page (calendar feed, e-mail digest) and the feed itself.

The feed address is the only thing here reachable without signing in: its
secret is the key, so it works in calendar apps that send no cookies.
"""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from ..config import is_centre
from ..errors import NotFound
from ..errors import ValidationError
from ..public_address import absolute_url
from ..reminders import digests
from ..reminders import feeds
from ..security import access

bp = Blueprint("reminders", __name__)


@bp.route("/calendar/<token>.ics")
@access.public
def feed(token: str):
    """The personal calendar feed behind a secret address.

    An unknown and a revoked address get the same short 404, in plain text: the
    reader is a calendar app, not a person.
    """
    try:
        document = feeds.read_feed(token)
    except NotFound:
        response = current_app.response_class(
            "This calendar address does not exist (any more).\n", status=404,
            mimetype="text/plain")
        response.headers["Cache-Control"] = "no-store"
        return response
    response = current_app.response_class(document, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="journal.ics"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(status: int = 200, *, secret: str | None = None, errors: dict | None = None,
          digest_form: dict | None = None):
    feed = feeds.current_feed(g.user)
    url = absolute_url("reminders.feed", token=secret) if secret else None
    return render_template(
        "account/reminders.html", feed=feed, feed_url=url,
        webcal_url=url.replace("https://", "webcal://", 1).replace("http://", "webcal://", 1)
        if url else None,
        privacy_options=[(key, str(feeds.PRIVACY_LABELS[key])) for key in feeds.PRIVACY],
        digest=digest_form or digests.settings_of(g.user),
        frequency_options=[(key, str(digests.FREQUENCY_LABELS[key]))
                           for key in digests.FREQUENCIES],
        mail_configured=digests.mail_configured(), errors=errors or {},
        centre=is_centre(),  # one feed over the linked schools, no digest (journal.centre)
    ), status


@bp.route("/account/reminders")
@access.login_required
def settings():
    """The reminders page: the calendar feed and the e-mail digest."""
    return _page()


@bp.route("/account/reminders/feed", methods=["POST"])
@access.login_required
def create_feed():
    """Make a new secret feed address (an older one stops working); shown once."""
    try:
        _record, secret = feeds.create_feed(g.user, request.form.get("privacy", feeds.TITLE))
    except ValidationError as exc:
        return _page(400, errors=exc.errors)
    return _page(secret=secret)


@bp.route("/account/reminders/feed/privacy", methods=["POST"])
@access.login_required
def feed_privacy():
    """Change what the feed shows; the address stays."""
    try:
        feeds.set_privacy(g.user, request.form.get("privacy", ""))
    except ValidationError as exc:
        return _page(400, errors=exc.errors)
    flash(_("Your calendar now shows what you chose."), "success")
    return redirect(url_for("reminders.settings"))


@bp.route("/account/reminders/feed/revoke", methods=["POST"])
@access.login_required
def revoke_feed():
    """End the feed address at once; calendar apps get nothing from it any more."""
    if feeds.revoke_feed(g.user):
        flash(_("The calendar address has been revoked."), "success")
    return redirect(url_for("reminders.settings"))


@bp.route("/account/reminders/digest", methods=["POST"])
@access.login_required
def digest():
    """Choose whether, how often and where to get the e-mail digest."""
    form = {"frequency": request.form.get("frequency", ""),
            "email": request.form.get("email", "")}
    try:
        digests.save_settings(g.user, form)
    except ValidationError as exc:
        return _page(400, errors=exc.errors, digest_form=form)
    flash(_("Your e-mail digest settings have been saved."), "success")
    return redirect(url_for("reminders.settings"))
