"""The ``journal`` command, built on Flask's CLI (``flask --app journal …`` works too).

Each group of commands lives in its own module and is added by :func:`init_app`.
"""

from __future__ import annotations

import os

import click
from flask.cli import FlaskGroup

from .. import create_app


def init_app(app) -> None:
    """Add the journal's commands to ``app.cli``."""
    from . import instance
    from . import plugins
    from . import reminders
    from . import storage
    from . import users

    for module in (instance, users, plugins, storage, reminders):
        module.register(app.cli)


def _make_app():
    return create_app()


def _set_instance(ctx, param, value):
    # A callback runs while the options are parsed, before Flask loads the app.
    if value:
        os.environ["JOURNAL_INSTANCE"] = os.path.abspath(value)
    return value


class JournalGroup(FlaskGroup):
    """Flask's command group, turning "not an instance" into a one-line error."""

    def invoke(self, ctx):
        from ..storage import NotAnInstance

        try:
            return super().invoke(ctx)
        except NotAnInstance as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=JournalGroup, create_app=_make_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False)
@click.option("--instance", "instance_path", metavar="PATH", envvar="JOURNAL_INSTANCE",
              expose_value=False, is_eager=True, callback=_set_instance,
              help="The instance folder (default ./instance).")
def main() -> None:
    """The journal: observation and reflection for learning support."""
