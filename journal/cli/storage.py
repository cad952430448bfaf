"""Commands that look after the data: ``check``, ``backup``, ``restore``, ``compact``, ``bench``.

``check`` and ``restore`` work on the files directly, so they also run when
the data is damaged and the journal refuses to open it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext


def _data_dir() -> Path:
    return Path(current_app.config["JOURNAL_DATA_DIR"])


def _backup_dir() -> Path:
    return Path(current_app.instance_path) / "backups"


def _files():
    from ..storage.files import FileStore

    return FileStore(current_app.config.get("JOURNAL_FILES_DIR")
                     or Path(current_app.instance_path) / "files")


def _open_store():
    store = current_app.extensions.get("journal.store")
    if store is not None:
        return store
    error = current_app.extensions.get("journal.store_error")
    if error is not None:
        raise click.ClickException(str(error))
    raise click.ClickException(
        f"{current_app.instance_path} is not a journal instance (run `journal init` first).")


def _print_report(report) -> None:
    for message in report.errors:
        click.echo(f"ERROR    {message}")
    for message in report.warnings:
        click.echo(f"warning  {message}")
    facts = dict(report.facts)
    documents = facts.pop("documents", None)
    for key, value in facts.items():
        click.echo(f"{key.replace('_', ' '):<16} {value}")
    if documents is not None:
        total = sum(documents.values())
        click.echo(f"{'documents':<16} {total} in {len(documents)} tables")
        for name, n in documents.items():
            click.echo(f"  {name:<24} {n}")


def register(cli: click.Group) -> None:
    """Add the storage commands to the command group."""

    @cli.command("check")
    @click.option("--file", "backup_file", type=click.Path(exists=True, dir_okay=False),
                  help="Verify this backup file instead of the instance's data.")
    @with_appcontext
    def check_command(backup_file: str | None) -> None:
        """Verify the instance's data (or a backup file) without changing anything."""
        from ..storage.check import check_backup
        from ..storage.check import check_folder

        for notice in current_app.extensions.get("journal.config_notices", ()):
            click.echo(f"NOTICE: {notice}")
        if backup_file:
            report = check_backup(backup_file)
            what = backup_file
        else:
            report = check_folder(_data_dir(), files=_files())
            what = str(_data_dir())
        _print_report(report)
        if report.ok:
            click.echo(f"OK: {what} is intact.")
        else:
            click.echo(f"DAMAGED: {what} has errors. Restore the latest backup with "
                       "`journal restore BACKUP_FILE`; keep a copy of the damaged folder.")
            sys.exit(1)

    @cli.command("backup")
    @click.argument("path", type=click.Path(file_okay=True, dir_okay=True, writable=True))
    @with_appcontext
    def backup_command(path: str) -> None:
        """Write a consistent backup to PATH (a file, or a folder to put one in).

        Safe while the journal is serving: writers wait for the copy, readers go on.
        The backup holds every pupil's record: keep it as safe as the server.
        """
        from ..storage.backup import backup

        store = _open_store()
        info = backup(store.db, path)
        from ..storage.backup import backup_files

        from ..storage.backup import backup_audit

        records = backup_audit(info["path"], store.audit.trail)
        click.echo(f"Audit log: {records} records copied to {info['path']}.audit")
        copied = backup_files(info["path"], _files())
        if copied["files"] or copied["missing"]:
            click.echo(f"Attachment files: {copied['files']} copied to {info['path']}.files/"
                       + (f", {len(copied['missing'])} missing" if copied["missing"] else ""))
        click.echo(f"Backup written to {info['path']}: {info['documents']} documents, "
                   f"{info['bytes'] / 1e6:.1f} MB. Verify it with `journal check --file "
                   f"{info['path']}`.")

    @cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    @with_appcontext
    def restore_command(path: str, yes: bool) -> None:
        """Replace the instance's data with the backup file PATH.

        The backup is verified first; the data it replaces is kept in
        <instance>/backups/before-restore-<time>/. Running journal processes
        switch to the restored data on their next request.
        """
        from ..storage.backup import read_backup
        from ..storage.backup import restore
        from ..storage.errors import StorageError
        from ..storage.migrations import SCHEMA_VERSION

        try:
            header, _tables, count = read_backup(path)
        except StorageError as error:
            raise click.ClickException(f"{error} Nothing was changed.") from None
        del _tables
        when = header.get("created_at") or "an unknown date"
        if not yes:
            click.confirm(
                f"Replace the data in {_data_dir()} with the backup of {when} "
                f"({count} documents)? The current data is kept in {_backup_dir()}.",
                abort=True,
            )
        try:
            result = restore(_data_dir(), path, _backup_dir(), schema_version=SCHEMA_VERSION)
        except StorageError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Restored {result['documents']} documents from the backup of {when}.")
        from ..storage.backup import restore_files

        from ..storage.backup import restore_audit

        merged = restore_audit(path, _data_dir())
        click.echo(f"Audit log: kept as it is ({merged} records from the backup added that it "
                   "lacked); a restore never removes audit records.")
        placed = restore_files(path, _files(), result["kept"])
        if placed["restored"] or placed["set_aside"] or placed["missing"]:
            click.echo(f"Attachment files: {placed['restored']} put back, "
                       f"{placed['set_aside']} not in the backup set aside"
                       + (f", {len(placed['missing'])} MISSING from the backup"
                          if placed["missing"] else "") + ".")
        if result["kept"]:
            click.echo(f"The replaced data is kept in {result['kept']}.")
        # Open it once now: this runs any migration and proves it is usable.
        from ..storage.engine import Database

        try:
            Database(_data_dir(), backup_dir=_backup_dir()).close()
        except StorageError as error:
            raise click.ClickException(str(error)) from None
        click.echo("The journal can use the restored data; `journal check` verifies it again.")

    @cli.command("compact")
    @with_appcontext
    def compact_command() -> None:
        """Rewrite the data files now, so erased or edited text is gone from them."""
        store = _open_store()
        store.compact()
        click.echo(f"Compacted {_data_dir()}.")

    @cli.command("bench")
    @click.option("--sizes", default="1000,10000,50000", show_default=True,
                  help="Comma-separated numbers of entries.")
    @click.option("--reps", default=30, show_default=True, help="Repetitions per operation.")
    @click.option("--json-reps", default=5, show_default=True,
                  help="Repetitions for TinyDB's JSONStorage (each one rewrites the whole file).")
    @click.option("--json-max", default=None, type=int,
                  help="Skip JSONStorage above this many entries.")
    @click.option("--cold-reps", default=3, show_default=True, help="Fresh processes per engine.")
    @click.option("--crash", "crash_trials", default=0, type=int, metavar="N",
                  help="Instead: run N kill -9 trials against a writing process.")
    def bench_command(sizes: str, reps: int, json_reps: int, json_max: int | None,
                      cold_reps: int, crash_trials: int) -> None:
        """Measure the storage engine against SQLite and JSONStorage (or run crash trials)."""
        from ..storage import benchmark

        if crash_trials:
            result = benchmark.crash_drill(crash_trials, out=click.echo)
            if result["failures"]:
                sys.exit(1)
            return
        numbers = tuple(int(s) for s in sizes.split(",") if s.strip())
        click.echo(f"journal bench --sizes {sizes} --reps {reps} --json-reps {json_reps}"
                   f" (Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")
        benchmark.run(numbers, reps=reps, json_reps=json_reps, json_max=json_max,
                      cold_reps=cold_reps, out=click.echo)
