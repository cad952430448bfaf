"""``journal digests``: send the e-mail digests that are due (for cron or a systemd timer)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


def register(cli: click.Group) -> None:
    """Add the ``digests`` group to the command group."""

    @cli.group("digests")
    def digests_group() -> None:
        """E-mail digests through the school's mail server (docs/reminders.md)."""

    @digests_group.command("send")
    @with_appcontext
    def send_command() -> None:
        """Send the digests that are due now; safe to run often and from several places."""
        from ..reminders import digests
        from ..reminders import mail

        if not mail.configured():
            raise click.ClickException(
                "No mail server is set up: set JOURNAL_SMTP_HOST and JOURNAL_SMTP_SENDER "
                "(docs/configuration.md).")
        result = digests.run_once()
        click.echo(f"planned {result['planned']}, sent {result['sent']}, nothing to report "
                   f"{result['nothing']}, failed {result['failed']} (retried later), "
                   f"expired {result['expired']}")
        if result["failed"]:
            raise SystemExit(1)

    @digests_group.command("status")
    @with_appcontext
    def status_command() -> None:
        """Show how many digests wait and the mail server's last error."""
        from ..reminders import digests

        state = digests.status()
        click.echo(f"waiting {state['waiting']} (failing {state['failing']}), "
                   f"sent in the last 7 days {state['sent_week']}")
        if state["last_error"]:
            click.echo(f"last error ({state['last_error_at']}): {state['last_error']}")
