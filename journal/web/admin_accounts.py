"""Account management for administrators: list, create, change roles,
deactivate and reactivate, reset a password or a lost second factor; and the
school's security settings (who must use two-step sign-in, who sees the
restricted section)."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import g
from flask import render_template
from flask import redirect
from flask import request
from flask import url_for
from flask_babel import gettext as _

from ..accounts import AccountError
from ..accounts import create_user
from ..accounts import generate_password
from ..accounts import set_active
from ..accounts import set_password
from ..security import access
from ..security import restricted
from ..security import throttle
from ..security import totp
from ..security.access import instance_roles
from ..security.audit import audit
from ..storage import StaleRevision
from ..storage import get_store
from .helpers import ROLE_LABELS

bp = Blueprint("admin_accounts", __name__, url_prefix="/admin")

DISPLAY_NAME_MAX = 80


def _user_or_404(user_id: str) -> dict:
    user = get_store().users.get(user_id)
    if user is None:
        abort(404)
    return user


def _active_admins() -> list[dict]:
    return [u for u in get_store().users.all() if u.get("active") and "admin" in u.get("roles", ())]


def _is_last_admin(user: dict) -> bool:
    return [u["id"] for u in _active_admins()] == [user["id"]]


def _roles_from_form() -> list[str]:
    return [r for r in request.form.getlist("roles") if r in instance_roles()]


@bp.route("/accounts/")
@access.role_required("admin")
def index():
    """List every account with its roles and state."""
    users = sorted(get_store().users.all(), key=lambda u: (not u.get("active"), u["username"]))
    return render_template("admin_accounts/index.html", users=users)


@bp.route("/accounts/new", methods=["GET", "POST"])
@access.role_required("admin")
def create():
    """Create an account; without a chosen password a random one is shown once."""
    errors: dict[str, list[str]] = {}
    form = {"username": request.form.get("username", "").strip(),
            "display_name": request.form.get("display_name", "").strip(),
            "roles": _roles_from_form()}
    if request.method == "POST":
        password = request.form.get("password", "")
        generated = not password
        if generated:
            password = generate_password()
        try:
            user = create_user(form["username"], roles=form["roles"], password=password,
                               display_name=form["display_name"], actor_id=g.user["id"])
        except AccountError as error:
            errors = error.errors
        else:
            audit("account", object_type="user", object_id=user["id"], detail="create")
            return render_template("admin_accounts/password_shown.html", user=user,
                                   password=password if generated else None, created=True)
    return render_template("admin_accounts/form.html", form=form, errors=errors, user=None), (
        400 if errors else 200)


@bp.route("/accounts/<user_id>", methods=["GET", "POST"])
@access.role_required("admin")
def edit(user_id: str):
    """Change an account's display name and roles (never its user name or secrets)."""
    user = _user_or_404(user_id)
    errors: dict[str, list[str]] = {}
    form = {"username": user["username"], "display_name": user.get("display_name", ""),
            "roles": user.get("roles", [])}
    if request.method == "POST":
        form["display_name"] = request.form.get("display_name", "").strip()
        form["roles"] = _roles_from_form()
        if not form["roles"]:
            errors["roles"] = [_("Choose at least one role.")]
        if len(form["display_name"]) > DISPLAY_NAME_MAX:
            errors["display_name"] = [_("Use at most %(n)s characters.", n=DISPLAY_NAME_MAX)]
        if "admin" not in form["roles"] and user.get("active") and _is_last_admin(user):
            errors["roles"] = [_("This is the last active administrator: keep the role.")]
        if not errors:
            try:
                get_store().users.update(
                    user_id,
                    {"display_name": form["display_name"] or user["username"],
                     "roles": [r for r in instance_roles() if r in form["roles"]]},
                    expected_rev=request.form.get("rev", type=int), actor_id=g.user["id"])
            except StaleRevision:
                flash(_("Someone else changed this account in the meantime. Check and save again."),
                      "error")
                return redirect(url_for("admin_accounts.edit", user_id=user_id))
            audit("account", object_type="user", object_id=user_id, detail="roles")
            flash(_("The account has been saved."), "success")
            return redirect(url_for("admin_accounts.index"))
    from ..signin import identities
    from ..signin import providers as signin_providers

    by_issuer = signin_providers.issuers()
    linked = [{"identity": i, "provider": by_issuer.get(i.get("issuer"))}
              for i in identities.identities_of(user)]
    return render_template("admin_accounts/form.html", form=form, errors=errors, user=user,
                           linked=linked, sign_in_providers=signin_providers.all_providers(),
                           link_form={"provider_id": request.args.get("provider_id", ""),
                                      "subject": request.args.get("subject", "")}), (
        400 if errors else 200)


@bp.route("/accounts/<user_id>/deactivate", methods=["POST"])
@access.role_required("admin")
def deactivate(user_id: str):
    """Deactivate an account: its sessions and API keys end at once."""
    user = _user_or_404(user_id)
    if user["id"] == g.user["id"] or _is_last_admin(user):
        flash(_("You cannot deactivate your own account or the last administrator."), "error")
        return redirect(url_for("admin_accounts.edit", user_id=user_id))
    set_active(user, False, actor_id=g.user["id"])
    audit("account", object_type="user", object_id=user_id, detail="deactivate")
    flash(_("The account has been deactivated."), "success")
    return redirect(url_for("admin_accounts.index"))


@bp.route("/accounts/<user_id>/reactivate", methods=["POST"])
@access.role_required("admin")
def reactivate(user_id: str):
    """Make a deactivated account usable again."""
    user = _user_or_404(user_id)
    set_active(user, True, actor_id=g.user["id"])
    audit("account", object_type="user", object_id=user_id, detail="reactivate")
    flash(_("The account is active again."), "success")
    return redirect(url_for("admin_accounts.index"))


@bp.route("/accounts/<user_id>/reset-password", methods=["POST"])
@access.role_required("admin")
def reset_password(user_id: str):
    """Give the account a new random password (shown once); its sessions end
    and a sign-in lock on it is lifted."""
    user = _user_or_404(user_id)
    password = generate_password()
    set_password(user, password, actor_id=g.user["id"])
    throttle.clear_account(user["username"])
    audit("account", object_type="user", object_id=user_id, detail="reset_password")
    return render_template("admin_accounts/password_shown.html", user=user, password=password,
                           created=False)


@bp.route("/accounts/<user_id>/reset-totp", methods=["POST"])
@access.role_required("admin")
def reset_totp(user_id: str):
    """Turn off an account's second factor (a lost phone); the user sets it up again."""
    user = _user_or_404(user_id)
    totp.disable(user, actor_id=g.user["id"])
    from ..security.sessions import end_all_sessions

    end_all_sessions(user["id"])
    audit("account", object_type="user", object_id=user_id, detail="reset_totp")
    flash(_("Two-step sign-in has been reset for this account."), "success")
    return redirect(url_for("admin_accounts.edit", user_id=user_id))


@bp.route("/security", methods=["GET", "POST"])
@access.role_required("admin")
def security():
    """The school's security settings: roles that must use two-step sign-in and
    roles that may see a trajectory's restricted section."""
    store = get_store()
    if request.method == "POST":
        totp_roles = [r for r in instance_roles() if r in request.form.getlist("totp_roles")]
        restricted_roles = [r for r in restricted.CONFIGURABLE_ROLES
                            if r in request.form.getlist("restricted_roles")]
        store.settings.set("totp_required_roles", totp_roles)
        store.settings.set("restricted_roles", restricted_roles)
        audit("account", object_type="settings", object_id="security", detail="security_settings")
        flash(_("The security settings have been saved."), "success")
        return redirect(url_for("admin_accounts.security"))
    return render_template("admin_accounts/security.html", totp_roles=totp.required_roles(),
                           restricted_roles=restricted.allowed_roles(),
                           restricted_choices=[(r, ROLE_LABELS[r]) for r in restricted.CONFIGURABLE_ROLES])
