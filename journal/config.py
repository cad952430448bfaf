"""Configuration defaults and the order in which they are overridden.

Load order (later wins): :data:`DEFAULTS`, then ``<instance>/config.py``, then
``JOURNAL_*`` environment variables, then the ``test_config`` mapping given to
:func:`journal.create_app`.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta

DEFAULTS: dict = {
    # Flask and its extensions
    "SECRET_KEY": None,  # written to instance/config.py by `journal init`
    "SESSION_COOKIE_NAME": "journal_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # set True behind HTTPS (see docs/deployment.md)
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,  # the server-side session bounds the token's life
    "BABEL_DEFAULT_LOCALE": "nl",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Brussels",
    # The journal's own settings
    "JOURNAL_LANGUAGES": ["nl", "en"],
    "JOURNAL_SCHOOL_NAME": "",  # a centre's name too, in a centre's instance
    # This journal's public address: links in mails and feeds, and what a linked journal
    # calls (journal/public_address.py); default: the address of the request
    "JOURNAL_PUBLIC_URL": "",
    # "school", or "centre" for a leersteuncentrum (`journal init --centre`, docs/centre.md)
    "JOURNAL_INSTANCE_KIND": "school",
    "JOURNAL_DATA_DIR": None,  # default: <instance>/data
    "JOURNAL_FILES_DIR": None,  # attachments; default: <instance>/files
    "JOURNAL_UPLOAD_MAX_BYTES": 10 * 1024 * 1024,  # one file
    "JOURNAL_UPLOAD_MAX_FILES": 5,  # files in one form
    "JOURNAL_UPLOAD_MAX_TOTAL_BYTES": 2 * 1024 ** 3,  # all attachments of the instance
    "JOURNAL_UPLOAD_MAX_PIXELS": 50_000_000,  # larger pictures are refused (decompression bombs)
    "JOURNAL_IMAGE_MAX_SIDE": 2560,  # pictures are scaled down to this many pixels a side
    "JOURNAL_IN_MEMORY": False,  # tests: keep the database in memory only
    "JOURNAL_SESSION_IDLE_MINUTES": 30,
    "JOURNAL_SESSION_ABSOLUTE_HOURS": 8,
    "JOURNAL_PROXY_HOPS": 0,  # reverse proxies in front that set X-Forwarded-For/-Proto
    "JOURNAL_TOTP_REQUIRED_ROLES": [],  # default; admins change it on /admin/security
    "JOURNAL_RESTRICTED_ROLES": ["support", "coordinator"],  # who sees the restricted section
    "JOURNAL_MARKDOWN_MAX_CHARS": 20_000,
    "JOURNAL_MARKDOWN_TIMEOUT_SECONDS": 2.0,
    "JOURNAL_STALE_TRAJECTORY_DAYS": 21,
    "JOURNAL_FAMILY_LINK_DAYS": 90,  # how long a new parents' or pupil's link works
    "JOURNAL_FAMILY_REACTIONS_PER_DAY": 10,  # messages one such link may send a day
    # Signing in with OpenID Connect providers (see docs/sign-in.md)
    "JOURNAL_OIDC_PROVIDERS": [],  # more can be added on /admin/sign-in
    "JOURNAL_OIDC_CLOCK_SKEW_SECONDS": 60,
    "JOURNAL_OIDC_TIMEOUT_SECONDS": 10,
    "JOURNAL_PASSWORD_DISABLED_ROLES": [],  # default; admins change it on /admin/sign-in
    # Linking schools and a centre (docs/federation.md, docs/centre.md)
    "JOURNAL_FEDERATION_CLOCK_SKEW_SECONDS": 120,
    "JOURNAL_FEDERATION_TIMEOUT_SECONDS": 5,
    "JOURNAL_FEDERATION_PAIRING_MINUTES": 15,
    "JOURNAL_CASELOAD_CACHE_SECONDS": 60,
    "JOURNAL_CASELOAD_NEAR_DAYS": 14,
    # Reminders: calendar feeds and e-mail digests (see docs/reminders.md)
    "JOURNAL_SMTP_HOST": "",  # the school's mail server; empty: no e-mail digests
    "JOURNAL_SMTP_PORT": 0,  # 0: 587 for starttls and none, 465 for ssl
    "JOURNAL_SMTP_SECURITY": "starttls",  # starttls, ssl, or none (a server on this machine)
    "JOURNAL_SMTP_USERNAME": "",
    "JOURNAL_SMTP_PASSWORD": "",
    "JOURNAL_SMTP_SENDER": "",  # the From address, e.g. logboek@school.be
    "JOURNAL_SMTP_CA_FILE": "",  # extra certificate authority for the mail server
    "JOURNAL_SMTP_TIMEOUT_SECONDS": 20,
    "JOURNAL_DIGEST_HOUR": 7,  # digests go out from this hour (school's time zone)
    "JOURNAL_DIGEST_SCHEDULER": True,  # `journal serve` sends digests itself
    "JOURNAL_DIGEST_INTERVAL_SECONDS": 300,  # how often the scheduler looks
    # Plugins (see docs/plugins.md)
    "JOURNAL_LOAD_ENTRYPOINTS": True,
    "JOURNAL_SAFE_MODE": False,
    "JOURNAL_BLOCKED_PLUGINS": [],
    "JOURNAL_STRICT_PLUGINS": False,
    "JOURNAL_PLUGIN_SETTINGS": {},
}


#: Setting names kept working for one release, as aliases: old name -> new name.
OLD_NAMES = {"JOURNAL_BASE_URL": "JOURNAL_PUBLIC_URL"}


def load_config(app, test_config: dict | None) -> None:
    """Fill ``app.config`` from defaults, the instance file, env and tests.

    :param app: the Flask application being built.
    :param test_config: a mapping that overrides everything, used by tests.
    """
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    _load_env(app.config)
    if test_config is not None:
        app.config.from_mapping(test_config)
    if app.config["JOURNAL_DATA_DIR"] is None:
        app.config["JOURNAL_DATA_DIR"] = f"{app.instance_path}/data"
    notices = apply_old_names(app.config)
    for notice in notices:
        app.logger.warning(notice)
    app.extensions["journal.config_notices"] = notices


def apply_old_names(config) -> list[str]:
    """Read each old setting name of :data:`OLD_NAMES` into its new name (unless the new
    one is set too) and return a notice for the admin per old name in use."""
    notices = []
    for old, new in OLD_NAMES.items():
        value = config.pop(old, None)
        if value in (None, ""):
            continue
        if config.get(new) in (None, ""):
            config[new] = value
            notices.append(f"The setting {old} is deprecated and will stop working in the next "
                           f"release: rename it to {new} (same meaning).")
        else:
            notices.append(f"The setting {old} is deprecated and ignored because {new} is set "
                           f"too: remove {old}.")
    return notices


def is_centre(app=None) -> bool:
    """Return whether the journal (``app``, default the current one) runs as a
    leersteuncentrum's instance rather than a school's."""
    from flask import current_app

    return (app or current_app).config.get("JOURNAL_INSTANCE_KIND") == "centre"


def _load_env(config) -> None:
    """Override known ``JOURNAL_*`` settings from the environment.

    Only names that exist in :data:`DEFAULTS` (or :data:`OLD_NAMES`) are read, so
    ``JOURNAL_INSTANCE`` (the instance folder, read by the CLI) never lands in the config. Values
    that parse as JSON (``true``, ``["a", "b"]``) are used as such.
    """
    for name in (*DEFAULTS, *OLD_NAMES):
        if name.startswith("JOURNAL_") and name in os.environ:
            raw = os.environ[name]
            try:
                config[name] = json.loads(raw)
            except ValueError:
                config[name] = raw
