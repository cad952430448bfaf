"""Commands that create and serve an instance: ``init`` and ``serve``."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

CONFIG_TEMPLATE = '''\
# The journal's configuration for this instance. See docs/configuration.md.
# Keep this file secret: the key signs session cookies.
SECRET_KEY = {secret!r}
JOURNAL_SCHOOL_NAME = {school!r}
{kind}# Behind HTTPS (recommended), uncomment:
# SESSION_COOKIE_SECURE = True
'''


def write_instance_config(instance: Path, school: str, *, centre: bool = False) -> None:
    """Create the instance folder (mode 0700) with a fresh random secret key.

    :param centre: a leersteuncentrum's instance (docs/centre.md), not a school's.
    """
    instance.mkdir(parents=True, exist_ok=True)
    os.chmod(instance, 0o700)
    config = instance / "config.py"
    fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        kind = ("# A leersteuncentrum's journal: no pupil files (docs/centre.md).\n"
                "JOURNAL_INSTANCE_KIND = 'centre'\n") if centre else ""
        f.write(CONFIG_TEMPLATE.format(secret=secrets.token_hex(32), school=school, kind=kind))


def _fresh_app():
    from .. import create_app

    return create_app(instance_path=current_app.instance_path)


def initialise(instance: Path, *, demo: bool, school: str = "",
               centre: bool = False) -> dict | None:
    """Make ``instance`` a journal instance (a school's, or a centre's); return the demo
    accounts if ``demo``."""
    default_name = "Demoleersteuncentrum De Brug" if centre else "Demoschool De Regenboog"
    write_instance_config(instance, school or (default_name if demo else ""), centre=centre)
    from .. import create_app

    app = create_app(instance_path=str(instance))
    try:
        with app.app_context():
            if centre:
                if demo:
                    from ..demo import create_demo_centre

                    return create_demo_centre()
                return None
            from ..plugins.host import get_plugins

            get_plugins().enable_bundled()
            if demo:
                from ..demo import create_demo_school

                return create_demo_school()
        return None
    finally:
        app.extensions["journal.store"].close()


def register(cli: click.Group) -> None:
    """Add ``init`` and ``serve`` to the command group."""

    @cli.command("init")
    @click.option("--demo", is_flag=True, help="Fill the instance with a demo school in Dutch.")
    @click.option("--school", default="", help="The school's (or centre's) name, shown in the header.")
    @click.option("--centre", is_flag=True,
                  help="A leersteuncentrum's journal: its ondersteuners and director, no pupil "
                       "files (docs/centre.md).")
    @with_appcontext
    def init_command(demo: bool, school: str, centre: bool) -> None:
        """Create a new instance: config with a random secret key, then the first admin."""
        instance = Path(current_app.instance_path)
        if (instance / "config.py").exists():
            raise click.ClickException(
                f"{instance} is already a journal instance; nothing was changed."
            )
        accounts = initialise(instance, demo=demo, school=school, centre=centre)
        click.echo(f"Created a journal instance in {instance}")
        if demo:
            print_demo_accounts(accounts)
            return
        app = _fresh_app()
        with app.app_context():
            from .users import prompt_first_admin

            prompt_first_admin()

    @cli.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True, type=int)
    @click.option("--threads", default=8, show_default=True, type=int)
    @click.option("--demo", is_flag=True,
                  help="Create a demo instance first if the folder is not one yet.")
    @with_appcontext
    def serve_command(host: str, port: int, threads: int, demo: bool) -> None:
        """Serve the journal with waitress, a production WSGI server."""
        import gc

        import waitress

        instance = Path(current_app.instance_path)
        if not (instance / "config.py").exists():
            if not demo:
                raise click.ClickException(
                    f"{instance} is not a journal instance. Run `journal init` first "
                    "(or `journal serve --demo` to try the journal with a demo school)."
                )
            print_demo_accounts(initialise(instance, demo=True))
        elif demo:
            print_demo_accounts(_read_demo_accounts(instance))
        app = _fresh_app()
        error = app.extensions.get("journal.store_error")
        if error is not None:
            raise click.ClickException(
                f"The journal cannot start: {error}\n"
                "Check it with `journal check`; restore a backup with `journal restore PATH`."
            )
        from ..reminders import scheduler

        if scheduler.start(app):
            click.echo("E-mail digests are sent from this process (docs/reminders.md).")
        from ..search import build_in_background

        # The documents stay in memory for the worker's life: the garbage collector need not
        # walk millions of them again and again (at 50,000 entries each pass took seconds).
        gc.freeze()
        from ..process.pattern_adaptations import derive_all

        def then():
            derive_all(app)  # the coordinator's patterns per trajectory
            gc.freeze()

        build_in_background(app, then=then)  # while the server already answers
        click.echo(f"The journal is running on http://{host}:{port}/  (Ctrl+C stops it)")
        sys.stdout.flush()
        waitress.serve(app, host=host, port=port, threads=threads, ident="journal")


def _read_demo_accounts(instance: Path) -> dict | None:
    import json

    path = instance / "demo-accounts.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else None


def print_demo_accounts(accounts: dict | None) -> None:
    """Print the demo accounts (user name, password, roles) on the terminal."""
    if not accounts:
        return
    click.echo("\nDemo accounts (this is a demo instance: never put real pupils in it):")
    for username, info in accounts.items():
        click.echo(f"  {username:<14} password: {info['password']:<24} {info['roles']}")
    click.echo("")
