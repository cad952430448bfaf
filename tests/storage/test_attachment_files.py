"""Attachment files with the durability of the data: backups, restore, ``journal check``
(missing, orphaned and damaged files), erasure."""

from __future__ import annotations

import io
import os
import stat

import pytest
from PIL import Image

from journal.plugins.testing import make_test_app

PDF = b"%PDF-1.4\n% plan van aanpak\n%%EOF\n"


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), "orange").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def disk_app(tmp_path):
    app = make_test_app(tmp_path, JOURNAL_IN_MEMORY=False)
    yield app
    app.extensions["journal.store"].close()


def _attach(app, files):
    from journal.process import attachments
    from journal.storage import get_store

    with app.test_request_context():
        store = get_store()
        actor = store.users.create({"username": "s", "display_name": "S", "roles": ["support"],
                                    "password_hash": "x", "active": True})
        pupil = store.pupils.create({"display_name": "Leerling A"})
        trajectory = store.trajectories.create({"pupil_id": pupil["id"], "phase": "implementation",
                                                "members": [{"user_id": actor["id"]}]})
        docs = attachments.add(actor, trajectory["id"], "handover", trajectory["id"],
                               [(n, b, "") for n, b in files])
    return pupil, docs


def _files_dir(tmp_path):
    return tmp_path / "instance" / "files"


def test_files_are_private_and_written_under_random_names(disk_app, tmp_path):
    _pupil, docs = _attach(disk_app, [("Noor haar rooster.jpg", photo())])
    folder = _files_dir(tmp_path)
    names = os.listdir(folder)
    assert len(names) == 2 and not any("Noor" in n or "rooster" in n for n in names)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE((folder / n).stat().st_mode) == 0o600 for n in names)
    assert {docs[0]["file"]["name"], docs[0]["thumb"]["name"]} == set(names)


def test_backup_restore_and_check_include_the_files(disk_app, tmp_path):
    runner = disk_app.test_cli_runner()
    _pupil, docs = _attach(disk_app, [("rooster.jpg", photo()), ("plan.pdf", PDF)])
    folder = _files_dir(tmp_path)
    before = {n: (folder / n).read_bytes() for n in os.listdir(folder)}
    usb = tmp_path / "usb"
    usb.mkdir()
    result = runner.invoke(args=["backup", str(usb)])
    assert result.exit_code == 0, result.output
    (made,) = usb.glob("journal-*.jbak")
    assert "3 copied" in result.output
    assert {n: p.read_bytes() for n, p in
            ((p.name, p) for p in (usb / (made.name + ".files")).iterdir())} == before
    checked = runner.invoke(args=["check", "--file", str(made)])
    assert checked.exit_code == 0 and "attachment files" in checked.output

    # Lose every file and add a stray one; restore puts the backup's files back.
    for name in before:
        os.unlink(folder / name)
    stray = folder / ("x" * 32 + ".bin")
    stray.write_bytes(b"stray")
    assert runner.invoke(args=["check"]).exit_code == 1
    done = runner.invoke(args=["restore", "--yes", str(made)])
    assert done.exit_code == 0, done.output
    assert "3 put back" in done.output and "1 not in the backup set aside" in done.output
    assert {n: (folder / n).read_bytes() for n in os.listdir(folder)} == before
    assert list((tmp_path / "instance" / "backups").glob("before-restore-*/files/" + stray.name))
    ok = runner.invoke(args=["check"])
    assert ok.exit_code == 0, ok.output


def test_check_reports_missing_orphaned_and_damaged_files(disk_app, tmp_path):
    runner = disk_app.test_cli_runner()
    _pupil, docs = _attach(disk_app, [("rooster.jpg", photo()), ("plan.pdf", PDF)])
    folder = _files_dir(tmp_path)
    assert runner.invoke(args=["check"]).exit_code == 0
    (folder / docs[1]["file"]["name"]).write_bytes(PDF + b"changed")
    os.unlink(folder / docs[0]["thumb"]["name"])
    (folder / ("o" * 32 + ".bin")).write_bytes(b"orphan")
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "does not match its checksum" in result.output
    assert f"{docs[0]['thumb']['name']} is missing" in result.output
    assert "orphan" in result.output


def test_after_erasure_the_files_leave_the_disk_and_the_next_backup(disk_app, tmp_path):
    from journal.privacy import erasure

    runner = disk_app.test_cli_runner()
    pupil, docs = _attach(disk_app, [("rooster.jpg", photo())])
    with disk_app.test_request_context():
        erasure.erase_pupil(pupil["id"])
    assert os.listdir(_files_dir(tmp_path)) == []
    usb = tmp_path / "usb"
    usb.mkdir()
    assert runner.invoke(args=["backup", str(usb)]).exit_code == 0
    (made,) = usb.glob("journal-*.jbak")
    assert not (usb / (made.name + ".files")).exists()
    assert docs[0]["file"]["name"].encode() not in made.read_bytes()
