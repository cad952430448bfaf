"""The admin's mail page: is the school's mail server set up and working, how many
e-mail digests wait, the last failure, and a test message."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import g
from flask import render_template
from flask import request
from flask_babel import gettext as _

from ..public_address import configured_url
from ..public_address import public_url
from ..reminders import digests
from ..reminders import mail
from ..security import access
from ..security.audit import audit

bp = Blueprint("admin_mail", __name__, url_prefix="/admin/mail")


def _page(status: int = 200, **context):
    config = current_app.config
    server = {
        "host": config.get("JOURNAL_SMTP_HOST") or "",
        "port": config.get("JOURNAL_SMTP_PORT") or "",
        "security": config.get("JOURNAL_SMTP_SECURITY") or "",
        "sender": config.get("JOURNAL_SMTP_SENDER") or "",
        "username": config.get("JOURNAL_SMTP_USERNAME") or "",
        "public_url": configured_url(),
        "scheduler": bool(config.get("JOURNAL_DIGEST_SCHEDULER")),
    }
    context.setdefault("errors", {})
    context.setdefault("to", "")
    return render_template("admin_mail/index.html", server=server, configured=mail.configured(),
                           state=digests.status(), links_to=public_url(), **context), status


@bp.route("/")
@access.role_required("admin")
def index():
    """The mail server's settings (never the password) and the digests' state."""
    return _page()


@bp.route("/test", methods=["POST"])
@access.role_required("admin")
def test():
    """Send a test message to the given address now and say what happened."""
    to = " ".join(request.form.get("to", "").split())
    try:
        if not digests.valid_email(to):
            return _page(400, errors={"to": [_("Fill in an e-mail address like name@school.be.")]},
                         to=to)
        mail.send(mail.message(to, _("Journal: test message"),
                               _("The journal can send e-mail through this server.") + "\n"))
    except mail.MailError as error:
        audit("update", object_type="mail", object_id=g.user["id"], outcome="failed",
              detail="test")
        return _page(502, test_error=str(error), to=to)
    audit("update", object_type="mail", object_id=g.user["id"], detail="test")
    return _page(test_sent=True, to=to)
