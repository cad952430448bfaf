"""Languages: Dutch (Flemish usage) first, English available.

UI strings are written in English in the code and templates (``_("…")``) and
translated through the message catalogues in ``journal/translations``. Update
them with ``python -m journal.i18n`` after adding strings (see docs/development.md).
"""

from __future__ import annotations

from flask import current_app
from flask import g
from flask import has_request_context
from flask import request
from flask import session
from flask_babel import Babel

babel = Babel()


def select_locale() -> str:
    """Pick the language: the user's choice, then the browser's, then Dutch.

    Outside a request (the ``journal`` command) messages are English, like the
    command's own output.
    """
    languages = current_app.config["JOURNAL_LANGUAGES"]
    if not has_request_context():
        return "en" if "en" in languages else languages[0]
    user = g.get("user")
    chosen = (user or {}).get("locale") or session.get("locale")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def init_app(app) -> None:
    """Set up Flask-Babel with the journal's catalogues."""
    babel.init_app(app, locale_selector=select_locale)


def update_catalogues() -> None:
    """Extract messages and update and compile the catalogues (development)."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent
    pot = root / "translations" / "messages.pot"
    # Prefer the pybabel of this interpreter's environment: the venv need not be on PATH.
    beside = Path(sys.executable).parent / "pybabel"
    run = [str(beside) if beside.exists() else shutil.which("pybabel") or "pybabel"]
    # pybabel's default keywords already cover _, gettext and ngettext.
    keywords = ["-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2"]
    subprocess.run(
        run + ["extract", "-F", str(root / "babel.cfg"), *keywords, "--no-location",
               "--sort-output", "--project", "journal", "-o", str(pot), str(root)],
        check=True,
    )
    # The catalogues are kept wrapped at 100 columns: another width rewrites every entry.
    subprocess.run(run + ["update", "-i", str(pot), "-d", str(root / "translations"),
                          "--no-fuzzy-matching", "--width", "100"], check=True)
    subprocess.run(run + ["compile", "-d", str(root / "translations")], check=True)


if __name__ == "__main__":
    update_catalogues()
