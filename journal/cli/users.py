"""Account commands: ``journal user …`` and ``journal token create``."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from ..accounts import AccountError
from ..accounts import create_user
from ..accounts import find_user
from ..accounts import generate_password
from ..accounts import set_active
from ..accounts import set_password
from ..security.access import ROLES


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _require(username: str) -> dict:
    user = find_user(username)
    if user is None:
        raise click.ClickException(f"No account with user name {username!r}.")
    return user


def _fail(error: AccountError):
    raise click.ClickException(str(error))


def prompt_first_admin() -> None:
    """Ask for the first administrator's user name and password (no default password)."""
    click.echo("Create the first administrator account.")
    while True:
        username = click.prompt("User name", default="beheerder")
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            create_user(username, roles=["admin"], password=password)
        except AccountError as error:
            click.echo(f"Not created: {error}", err=True)
            continue
        click.echo(f"Administrator {username!r} created. Start the journal with `journal serve`.")
        return


def register(cli: click.Group) -> None:
    """Add ``user`` and ``token`` command groups."""

    @cli.group("user")
    def user_group() -> None:
        """Manage accounts."""

    @user_group.command("add")
    @click.argument("username")
    @click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES),
                  help="A role; repeat for several.")
    @click.option("--name", "display_name", default="", help="The name shown to colleagues.")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
    @with_appcontext
    def add(username: str, roles: tuple[str, ...], display_name: str, password_stdin: bool) -> None:
        """Create an account."""
        try:
            create_user(username, roles=list(roles), password=_read_password(password_stdin),
                        display_name=display_name)
        except AccountError as error:
            _fail(error)
        click.echo(f"Created {username.lower()} ({', '.join(roles)}).")

    @user_group.command("list")
    @with_appcontext
    def list_users() -> None:
        """List accounts with their roles and whether they are active."""
        from ..storage import get_store

        for user in sorted(get_store().users.all(), key=lambda u: u["username"]):
            state = "active" if user.get("active") else "deactivated"
            click.echo(f"{user['username']:<20} {','.join(user['roles']):<32} {state}")

    @user_group.command("deactivate")
    @click.argument("username")
    @with_appcontext
    def deactivate(username: str) -> None:
        """Deactivate an account: its sessions and tokens end at once."""
        set_active(_require(username), False)
        click.echo(f"Deactivated {username}.")

    @user_group.command("activate")
    @click.argument("username")
    @with_appcontext
    def activate(username: str) -> None:
        """Activate a deactivated account again."""
        set_active(_require(username), True)
        click.echo(f"Activated {username}.")

    @user_group.command("reset-password")
    @click.argument("username")
    @click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
    @click.option("--generate", is_flag=True, help="Generate a random password and print it.")
    @with_appcontext
    def reset_password(username: str, password_stdin: bool, generate: bool) -> None:
        """Set a new password; the user's sessions end."""
        user = _require(username)
        password = generate_password() if generate else _read_password(password_stdin)
        try:
            set_password(user, password)
        except AccountError as error:
            _fail(error)
        click.echo(f"New password for {username}" + (f": {password}" if generate else " set."))

    @cli.group("token")
    def token_group() -> None:
        """Manage personal access tokens for the API."""

    @token_group.command("create")
    @click.argument("username")
    @click.option("--name", default="cli", show_default=True, help="What the token is for.")
    @with_appcontext
    def create_token_command(username: str, name: str) -> None:
        """Create a personal access token and print it once."""
        from ..security.sessions import create_token

        _, secret = create_token(_require(username), name)
        click.echo(secret)
