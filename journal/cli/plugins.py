"""Plugin commands: ``journal plugins list [--json] | enable NAME | disable NAME | check``."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from ..plugins import hookspecs
from ..plugins.records import PluginError


def _host():
    host = current_app.extensions.get("journal.plugins")
    if host is None:
        raise click.ClickException("This folder is not a journal instance yet (journal init).")
    return host


def check_plugins(host) -> list[str]:
    """Return every problem with the installed plugins (empty when all keep the contract).

    Each loaded plugin is checked alone on a throwaway in-memory journal, so
    the instance's data is never touched.
    """
    from ..plugins.contract import assert_plugin_contract

    problems = []
    configured = current_app.config["JOURNAL_PLUGIN_SETTINGS"] or {}
    for name, record in sorted(host.records.items()):
        if record.builtin:
            continue
        if record.status in ("failed", "incompatible"):
            last = (record.error.strip().splitlines() or ["?"])[-1]
            problems.append(f"{name}: {record.status}: {last}")
            continue
        if record.status != "loaded":
            continue
        try:
            assert_plugin_contract(host.pm.get_plugin(name), name)
        except Exception as exc:  # report every plugin, not only the first broken one
            problems.append(f"{name}: breaks the plugin contract: {type(exc).__name__}: {exc}")
        unknown = set(configured.get(name, {})) - set(record.default_settings)
        if unknown:
            problems.append(f"{name}: JOURNAL_PLUGIN_SETTINGS has undeclared keys: "
                            f"{', '.join(sorted(unknown))}")
    return problems


def deprecation_notes(described: dict) -> list[str]:
    """Return what a plugin (as ``describe()`` gives it) must rename before the next release."""
    return [f"uses the deprecated hook {old}: rename it {hookspecs.RENAMED_HOOKS[old]}"
            for old in described.get("deprecated_hooks", ())]


def register(cli: click.Group) -> None:
    """Add the ``plugins`` command group."""

    @cli.group("plugins")
    def plugins_group() -> None:
        """Installed plugins: list, enable, disable, check."""

    @plugins_group.command("list")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON (with errors and tracebacks).")
    @click.option("--all", "show_all", is_flag=True,
                  help="Also list the plugins built into the journal (always on).")
    @with_appcontext
    def list_plugins(as_json: bool, show_all: bool) -> None:
        """List installed plugins with their status and whether they are enabled.

        A plugin that is enabled but no longer installed shows as ``missing``.
        """
        described = [p for p in _host().describe() if show_all or p["source"] != "builtin"]
        if as_json:
            click.echo(json.dumps(described, indent=2, ensure_ascii=False, default=str))
            return
        if not described:
            click.echo("No plugins are installed.")
        for p in described:
            enabled = "enabled" if p["enabled"] else "disabled"
            version = f"{p['dist']} {p['version']}".strip() or p["source"]
            click.echo(f"{p['name']:<28} {p['status']:<13} {enabled:<9} {version}")
            if p["error"]:
                click.echo(f"    last error: {p['error'].strip().splitlines()[-1]}")
            for note in deprecation_notes(p):
                click.echo(f"    {note}")

    @plugins_group.command("enable")
    @click.argument("name")
    @with_appcontext
    def enable(name: str) -> None:
        """Enable an installed plugin for this instance (no restart needed)."""
        from ..security.audit import audit

        host = _host()
        try:
            host.enable(name)
        except KeyError:
            known = ", ".join(sorted(host.records)) or "none"
            raise click.ClickException(f"No installed plugin {name!r} (installed: {known}).")
        audit("plugin", object_type="plugin", object_id=name, detail="enable")
        status = host.records[name].status
        suffix = "" if status == "loaded" else f", but it is {status} and does nothing yet"
        click.echo(f"Enabled {name}{suffix}.")

    @plugins_group.command("disable")
    @click.argument("name")
    @with_appcontext
    def disable(name: str) -> None:
        """Disable a plugin; entries written with its templates keep rendering."""
        from ..security.audit import audit

        host = _host()
        if name not in host.records and name not in host.enabled_names():
            raise click.ClickException(f"No plugin {name!r} is installed or enabled.")
        try:
            host.disable(name)
        except PluginError as exc:
            raise click.ClickException(str(exc)) from None
        audit("plugin", object_type="plugin", object_id=name, detail="disable")
        click.echo(f"Disabled {name}.")

    @plugins_group.command("check")
    @with_appcontext
    def check() -> None:
        """Check every installed plugin strictly; exit 1 if any fails (use in CI)."""
        host = _host()
        problems = check_plugins(host)
        for name, record in sorted(host.records.items()):
            if record.builtin:
                continue
            if record.status == "loaded" and not any(p.startswith(f"{name}:") for p in problems):
                click.echo(f"{name}: ok")
                for note in deprecation_notes(record.as_dict(enabled=False)):
                    click.echo(f"{name}: {note}")
            elif record.status in ("blocked", "skipped"):
                click.echo(f"{name}: {record.status} (not checked)")
        for problem in problems:
            click.echo(problem, err=True)
        if problems:
            raise SystemExit(1)
