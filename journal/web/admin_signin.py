"""Sign-in settings for administrators: the OpenID Connect providers, linking
accounts to them, and switching password sign-in off per role (docs/sign-in.md)."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from ..security import access
from ..security.access import instance_roles
from ..security.audit import audit
from ..signin import identities
from ..signin import providers as registry
from ..signin.identities import IdentityError
from ..storage import get_store

bp = Blueprint("admin_signin", __name__, url_prefix="/admin")

#: Provider fields the form edits (the secret separately: never shown back).
TEXT_FIELDS = ("id", "name", "issuer", "client_id", "scopes")
FLAGS = ("enabled", "allow_signup", "trust_mfa")


@bp.route("/sign-in")
@access.role_required("admin")
def index():
    """The providers, and for which roles passwords are switched off."""
    return render_template("admin_signin/index.html", providers=registry.all_providers(),
                           password_off=identities.password_disabled_roles(), errors={},
                           callback=lambda p: url_for("signin.callback", provider_id=p["id"],
                                                      _external=True))


@bp.route("/sign-in/passwords", methods=["POST"])
@access.role_required("admin")
def passwords():
    """Switch password sign-in off (or on) per role; administrators always keep a way in."""
    wanted = [r for r in instance_roles() if r in request.form.getlist("password_off")]
    try:
        identities.set_password_disabled_roles(g.user, wanted)
    except IdentityError as error:
        return render_template("admin_signin/index.html", providers=registry.all_providers(),
                               password_off=wanted,
                               errors={"password_off": error.errors["password_disabled_roles"]},
                               callback=lambda p: url_for("signin.callback", provider_id=p["id"],
                                                          _external=True)), 400
    flash(_("The sign-in settings have been saved."), "success")
    return redirect(url_for("admin_signin.index"))


def _form_provider(existing: dict | None) -> dict:
    raw = {name: request.form.get(name, "").strip() for name in TEXT_FIELDS}
    if existing is not None:
        raw["id"] = existing["id"]
    raw.update({flag: bool(request.form.get(flag)) for flag in FLAGS})
    raw["mfa_acr_values"] = request.form.get("mfa_acr_values", "").split()
    secret = request.form.get("client_secret", "")
    raw["client_secret"] = secret or (existing or {}).get("client_secret", "")
    provider = registry._normalise(raw, "admin")
    return provider


def _stored_or_404(provider_id: str) -> dict:
    provider = next((p for p in registry.all_providers() if p["id"] == provider_id), None)
    if provider is None:
        abort(404)
    return provider


@bp.route("/sign-in/providers/new", methods=["GET", "POST"])
@access.role_required("admin")
def create():
    """Connect a provider by its issuer (its discovery document is read when someone signs in)."""
    errors: dict[str, list[str]] = {}
    form = {"scopes": "openid email profile", "enabled": True}
    if request.method == "POST":
        provider = _form_provider(None)
        form = provider
        errors = registry.problems(provider, taken={p["id"] for p in registry.all_providers()})
        if not errors:
            registry.save_provider(provider)
            audit("account", object_type="oidc_provider", object_id=provider["id"],
                  detail="provider_create")
            flash(_("The provider has been saved."), "success")
            return redirect(url_for("admin_signin.index"))
    return render_template("admin_signin/form.html", form=form, errors=errors, provider=None), (
        400 if errors else 200)


@bp.route("/sign-in/providers/<provider_id>", methods=["GET", "POST"])
@access.role_required("admin")
def edit(provider_id: str):
    """Change a provider connected on this page (those from the config are read-only)."""
    existing = _stored_or_404(provider_id)
    errors: dict[str, list[str]] = {}
    form = existing
    if request.method == "POST":
        if existing["source"] != "admin":
            abort(403)
        provider = _form_provider(existing)
        form = provider
        errors = registry.problems(provider)
        if not errors:
            registry.save_provider(provider, replace_id=provider_id)
            audit("account", object_type="oidc_provider", object_id=provider_id,
                  detail="provider_update")
            flash(_("The provider has been saved."), "success")
            return redirect(url_for("admin_signin.index"))
    return render_template("admin_signin/form.html", form=form, errors=errors,
                           provider=existing), 400 if errors else 200


@bp.route("/sign-in/providers/<provider_id>/delete", methods=["POST"])
@access.role_required("admin")
def delete(provider_id: str):
    """Remove a provider connected on this page; accounts keep their links (harmless
    without the provider) so connecting it again restores them."""
    existing = _stored_or_404(provider_id)
    if existing["source"] != "admin":
        abort(403)
    registry.delete_provider(provider_id)
    if not identities._admins_keep_a_way_in(identities.password_disabled_roles()):
        registry.save_provider(existing)
        flash(_("Administrators sign in only through this provider: switch passwords for "
                "administrators on first."), "error")
        return redirect(url_for("admin_signin.edit", provider_id=provider_id))
    audit("account", object_type="oidc_provider", object_id=provider_id, detail="provider_delete")
    flash(_("The provider has been removed."), "success")
    return redirect(url_for("admin_signin.index"))


def _user_or_404(user_id: str) -> dict:
    user = get_store().users.get(user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/accounts/<user_id>/identities", methods=["POST"])
@access.role_required("admin")
def link(user_id: str):
    """Link an account to a person at a provider, by the provider's subject id."""
    user = _user_or_404(user_id)
    provider = registry.get_provider(request.form.get("provider_id", ""))
    subject = request.form.get("subject", "").strip()
    if provider is None:
        flash(_("Choose a provider."), "error")
    else:
        try:
            identities.link(g.user, user, provider, subject)
        except IdentityError as error:
            flash(" ".join(m for ms in error.errors.values() for m in ms), "error")
            return redirect(url_for("admin_accounts.edit", user_id=user_id,
                                    subject=subject[:255], provider_id=provider["id"]))
        flash(_("The account is linked."), "success")
    return redirect(url_for("admin_accounts.edit", user_id=user_id))


@bp.route("/accounts/<user_id>/identities/unlink", methods=["POST"])
@access.role_required("admin")
def unlink(user_id: str):
    """Remove one link of an account."""
    user = _user_or_404(user_id)
    try:
        identities.unlink(g.user, user, request.form.get("issuer", ""),
                          request.form.get("subject", ""))
    except IdentityError as error:
        flash(" ".join(m for ms in error.errors.values() for m in ms), "error")
    else:
        flash(_("The link has been removed."), "success")
    return redirect(url_for("admin_accounts.edit", user_id=user_id))
