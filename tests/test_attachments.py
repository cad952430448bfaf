"""Photos, scans and PDFs on entries, agreements and the handover sheet: re-encoding,
hostile files, limits that keep the typed text, access, audit, erasure."""

from __future__ import annotations

import errno
import io
import os
import zlib
import struct

import pytest
from PIL import Image

from journal.process import attachments as service
from journal.process import uploads
from journal.storage import get_store

EN = {"Accept-Language": "en"}


# -- files to upload ------------------------------------------------------------------------

def jpeg(size=(800, 600), color="blue", **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", **save)
    return out.getvalue()


def png(size=(64, 64), color=(0, 128, 0, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, color).save(out, "PNG")
    return out.getvalue()


def jpeg_with_metadata() -> bytes:
    """A photo carrying GPS, a camera name and a script in its EXIF comment."""
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"                 # Make
    exif[0x9286] = "<script>alert(1)</script>"   # UserComment
    exif[0x010E] = "<script>alert(2)</script>"   # ImageDescription
    exif[0x8825] = {1: "N", 2: (50.0, 51.0, 0.0), 3: "E", 4: (4.0, 21.0, 0.0)}  # GPS
    out = io.BytesIO()
    Image.new("RGB", (320, 240), "white").save(out, "JPEG", exif=exif,
                                               comment=b"<script>alert(3)</script>")
    return out.getvalue()


def png_bomb(side=30000) -> bytes:
    """A tiny PNG that claims side x side pixels (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def gif_js_polyglot() -> bytes:
    """A file that is both a valid GIF and valid JavaScript."""
    out = io.BytesIO()
    Image.new("P", (10, 10), 1).save(out, "GIF")
    gif = out.getvalue()
    # "GIF89a" followed by a width of "/*" makes the rest a JS comment; the script after it runs.
    polyglot = b"GIF89a/*" + gif[8:] + b"*/=1;alert(document.domain);//"
    return polyglot


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
       b'<script>alert(2)</script></svg>')
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def team(users, make_trajectory, make_pupil):
    pupil = make_pupil("Leerling Noor", "4C")
    return make_trajectory(users["teacher"], users["support"], pupil_id=pupil["id"],
                           phase="implementation")


def add_agreement(client, team, files, text="Pictogrammen voor de dagplanning"):
    data = {"text": text, "status": "", "caption": "Dagplanning",
            "attachments": [(io.BytesIO(body), name) for name, body in files]}
    return client.post(f"/t/{team['id']}/adaptations", data=data, headers=EN,
                       content_type="multipart/form-data")


def disk_files(app) -> set[str]:
    folder = uploads.file_store().folder
    return set(os.listdir(folder)) if folder.is_dir() else set()


# -- re-encoding ----------------------------------------------------------------------------

def test_a_photo_is_re_encoded_without_its_metadata_and_bounded(app, users, login, team):
    client = login(app.test_client(), "teacher")
    big = jpeg(size=(4000, 1000))
    response = add_agreement(client, team, [("rooster.jpg", big), ("meta.jpg", jpeg_with_metadata())])
    assert response.status_code == 302
    docs = sorted(get_store().attachments.all(), key=lambda d: d["name"])
    assert [d["name"] for d in docs] == ["meta.jpg", "rooster.jpg"]
    stored = service.read(docs[1])
    image = Image.open(io.BytesIO(stored))
    assert max(image.size) == 2560 and image.size == (2560, 640)
    thumb = Image.open(io.BytesIO(service.read(docs[1], "thumb")))
    assert max(thumb.size) <= uploads.THUMB_SIDE
    cleaned = service.read(docs[0])
    assert b"<script>" not in cleaned and b"CameraMaker" not in cleaned
    reopened = Image.open(io.BytesIO(cleaned))
    assert not reopened.getexif() and "comment" not in reopened.info and "exif" not in reopened.info
    # Names on disk are random, never the user's.
    assert not any("rooster" in n or "meta" in n for n in disk_files(app))
    assert len(disk_files(app)) == 4  # two pictures, two thumbnails


def test_png_text_chunks_and_icc_profiles_are_dropped(app, users, login, team):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    info.add_text("Author", "Juf Marleen")
    out = io.BytesIO()
    Image.new("RGB", (50, 50), "white").save(out, "PNG", pnginfo=info, icc_profile=b"\0" * 128)
    client = login(app.test_client(), "teacher")
    assert add_agreement(client, team, [("kaart.png", out.getvalue())]).status_code == 302
    stored = service.read(get_store().attachments.all()[0])
    assert b"<script>" not in stored and b"Marleen" not in stored and b"iCCP" not in stored


def test_only_the_first_frame_of_an_animation_is_kept(app, users, login, team):
    frames = [Image.new("P", (20, 20), i) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    client = login(app.test_client(), "teacher")
    assert add_agreement(client, team, [("stap.gif", out.getvalue())]).status_code == 302
    doc = get_store().attachments.all()[0]
    stored = Image.open(io.BytesIO(service.read(doc)))
    assert stored.format == "PNG" and getattr(stored, "n_frames", 1) == 1
    assert doc["name"] == "stap.png"


# -- hostile files --------------------------------------------------------------------------

@pytest.mark.parametrize("name, body, message", [
    ("tekening.svg", SVG, "Only photos and scans"),
    ("leeg.png", b"", "This file is empty"),
    ("kapot.jpg", jpeg(size=(600, 400))[:900], "damaged or incomplete"),
    ("bom.png", png_bomb(), "too many pixels"),
    ("pagina.html", b"<html><script>alert(1)</script></html>", "Only photos and scans"),
])
def test_hostile_files_are_refused_and_the_typed_text_is_kept(app, users, login, team, name,
                                                               body, message):
    client = login(app.test_client(), "teacher")
    response = add_agreement(client, team, [(name, body)], text="Mijn zorgvuldig getypte afspraak")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert "Mijn zorgvuldig getypte afspraak" in page  # the text comes back in the form
    assert get_store().adaptations.all() == [] and get_store().attachments.all() == []
    assert disk_files(app) == set()


def test_a_refused_type_gets_a_dutch_message(app, users, login, team):
    get_store().users.update(users["teacher"]["id"], {"locale": "nl"})
    client = login(app.test_client(), "teacher")
    response = client.post(f"/t/{team['id']}/adaptations", headers={"Accept-Language": "nl"},
                           content_type="multipart/form-data",
                           data={"text": "Afspraak", "attachments": (io.BytesIO(SVG), "x.svg")})
    assert response.status_code == 400
    assert "Alleen foto" in response.get_data(as_text=True)


def test_a_polyglot_gif_is_neutralised(app, users, login, team):
    client = login(app.test_client(), "teacher")
    polyglot = gif_js_polyglot()
    assert Image.open(io.BytesIO(polyglot)).format == "GIF"
    assert add_agreement(client, team, [("x.gif", polyglot)]).status_code == 302
    doc = get_store().attachments.all()[0]
    stored = service.read(doc)
    assert b"alert" not in stored and stored.startswith(b"\x89PNG")
    served = client.get(f"/t/{team['id']}/files/{doc['id']}")
    assert served.mimetype == "image/png" and served.headers["X-Content-Type-Options"] == "nosniff"


def test_a_path_in_the_name_never_reaches_the_disk(app, users, login, team):
    client = login(app.test_client(), "teacher")
    assert add_agreement(client, team, [("../../etc/passwd.png", png())]).status_code == 302
    doc = get_store().attachments.all()[0]
    assert doc["name"] == "passwd.png"
    assert all(n.endswith(".bin") and "/" not in n for n in disk_files(app))
    served = client.get(f"/t/{team['id']}/files/{doc['id']}?download=1")
    disposition = served.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and ".." not in disposition
    assert "etc" not in disposition


def test_a_pdf_named_png_is_kept_as_a_pdf_download(app, users, login, team):
    client = login(app.test_client(), "teacher")
    assert add_agreement(client, team, [("rooster.png", PDF)]).status_code == 302
    doc = get_store().attachments.all()[0]
    assert doc["kind"] == "pdf" and doc["name"] == "rooster.pdf" and doc["thumb"] is None
    served = client.get(f"/t/{team['id']}/files/{doc['id']}")
    assert served.data == PDF and served.mimetype == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert client.get(f"/t/{team['id']}/files/{doc['id']}/thumb").status_code == 404


def test_content_disposition_is_built_safely():
    value = uploads.content_disposition('a"b\r\nX-Evil: 1\\..\\Ünïcode ✓.pdf')
    assert "\r" not in value and "\n" not in value
    assert value.count('"') == 2
    plain, star = value.split("; filename*=")
    assert star.startswith("UTF-8''") and "%E2%9C%93" in star
    assert plain == 'attachment; filename="Unicode .pdf"'


# -- limits and a full disk -----------------------------------------------------------------

@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


@pytest.mark.parametrize("app_config", [{"JOURNAL_UPLOAD_MAX_BYTES": 50_000,
                                         "MAX_CONTENT_LENGTH": 20_000}], indirect=True)
def test_an_oversized_file_is_refused_with_the_text_kept(app, users, login, team):
    client = login(app.test_client(), "teacher")
    noise = os.urandom(60_000)
    response = add_agreement(client, team, [("groot.jpg", noise)], text="Tekst die blijft")
    page = response.get_data(as_text=True)
    assert response.status_code == 400  # not a bare 413: the per-file limit answered
    assert "too large (at most" in page and "Tekst die blijft" in page


@pytest.mark.parametrize("app_config", [{"JOURNAL_UPLOAD_MAX_TOTAL_BYTES": 10_000}],
                         indirect=True)
def test_the_instance_limit_is_kept(app, users, login, team):
    client = login(app.test_client(), "teacher")
    assert add_agreement(client, team, [("a.png", png((40, 40)))]).status_code == 302
    noise = Image.frombytes("RGB", (300, 300), os.urandom(300 * 300 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    response = add_agreement(client, team, [("b.png", out.getvalue())], text="Nog een afspraak")
    assert response.status_code == 400
    assert "no room for more files" in response.get_data(as_text=True)


def test_a_full_disk_keeps_the_text_and_leaves_nothing_behind(app, users, login, team,
                                                              monkeypatch):
    client = login(app.test_client(), "teacher")
    real_write = os.write
    folder = str(uploads.file_store().folder)

    def full(fd, data):
        if os.readlink(f"/proc/self/fd/{fd}").startswith(folder):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    response = add_agreement(client, team, [("rooster.jpg", jpeg())], text="Niet verloren")
    monkeypatch.undo()
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "disk is full" in page and "Niet verloren" in page
    assert disk_files(app) == set() and get_store().adaptations.all() == []


# -- entries, handover, access ----------------------------------------------------------------

def test_a_photo_on_a_new_entry_is_shown_on_the_entry(app, users, login, team):
    client = login(app.test_client(), "teacher")
    response = client.post(
        f"/t/{team['id']}/entries/new?kind=observation", headers=EN,
        content_type="multipart/form-data",
        data={"date": "2025-02-03", "seen": "Werkt met het stappenplan.", "action": "publish",
              "caption": "Stappenplan", "attachments": (io.BytesIO(jpeg()), "stappen.jpg")})
    assert response.status_code == 302, response.get_data(as_text=True)
    doc = get_store().attachments.all()[0]
    assert doc["owner_type"] == "entry"
    support = login(app.test_client(), "support")
    page = support.get(response.location, headers=EN).get_data(as_text=True)
    assert f"/files/{doc['id']}/thumb" in page and "Stappenplan" in page
    assert support.get(f"/t/{team['id']}/files/{doc['id']}").status_code == 200


def test_a_refused_file_on_a_new_entry_keeps_the_entry_text(app, users, login, team):
    client = login(app.test_client(), "teacher")
    response = client.post(
        f"/t/{team['id']}/entries/new?kind=observation", headers=EN,
        content_type="multipart/form-data",
        data={"date": "2025-02-03", "seen": "Een lange observatie die niet weg mag.",
              "action": "publish", "attachments": (io.BytesIO(SVG), "x.svg")})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Een lange observatie die niet weg mag." in page and "Only photos" in page
    assert 'enctype="multipart/form-data"' in page
    assert get_store().entries.all() == []


def test_files_on_a_draft_show_only_to_its_authors(app, users, login, team):
    client = login(app.test_client(), "teacher")
    client.post(f"/t/{team['id']}/entries/new?kind=observation", headers=EN,
                content_type="multipart/form-data",
                data={"date": "2025-02-03", "seen": "Concept.", "action": "draft",
                      "attachments": (io.BytesIO(jpeg()), "concept.jpg")})
    doc = get_store().attachments.all()[0]
    assert client.get(f"/t/{team['id']}/files/{doc['id']}").status_code == 200
    support = login(app.test_client(), "support")
    assert support.get(f"/t/{team['id']}/files/{doc['id']}").status_code == 404


def test_the_handover_sheet_takes_files(app, users, login, team):
    client = login(app.test_client(), "support")
    response = client.post(f"/t/{team['id']}/files", headers=EN, content_type="multipart/form-data",
                           data={"owner_type": "handover", "owner_id": team["id"],
                                 "caption": "Prikbord", "attachments": (io.BytesIO(png()), "p.png")})
    assert response.status_code == 302
    page = client.get(f"/t/{team['id']}/handover", headers=EN).get_data(as_text=True)
    doc = get_store().attachments.all()[0]
    assert doc["owner_type"] == "handover" and f"/files/{doc['id']}" in page


def test_a_refused_upload_keeps_the_caption(app, users, login, team):
    client = login(app.test_client(), "support")
    response = client.post(f"/t/{team['id']}/files", headers=EN, content_type="multipart/form-data",
                           data={"owner_type": "handover", "owner_id": team["id"],
                                 "caption": "Mijn bijschrift", "attachments": (io.BytesIO(b""), "x.png")})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Mijn bijschrift" in page and "empty" in page


def test_an_upload_to_an_owner_elsewhere_is_refused(app, users, login, team, make_trajectory):
    other = make_trajectory(users["outsider_teacher"])
    client = login(app.test_client(), "teacher")
    response = client.post(f"/t/{team['id']}/files", content_type="multipart/form-data",
                           data={"owner_type": "handover", "owner_id": other["id"],
                                 "attachments": (io.BytesIO(png()), "p.png")})
    assert response.status_code == 404 and get_store().attachments.all() == []


def test_non_members_get_404_and_every_view_and_refusal_is_audited(app, users, login, team):
    client = login(app.test_client(), "teacher")
    add_agreement(client, team, [("rooster.jpg", jpeg())])
    doc = get_store().attachments.all()[0]
    url = f"/t/{team['id']}/files/{doc['id']}"
    outsider = login(app.test_client(), "outsider_teacher")
    for path in (url, url + "/thumb", url + "?download=1"):
        assert outsider.get(path).status_code == 404
    assert outsider.post(url + "/delete").status_code == 404
    admin = login(app.test_client(), "admin")
    assert admin.get(url).status_code == 404
    support = login(app.test_client(), "support")
    shown = support.get(url)
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    assert shown.headers["Content-Disposition"].startswith("inline;")
    assert support.get(url + "/thumb").status_code == 200
    records = get_store().audit.all()
    created = [r for r in records if r["action"] == "create" and r["object_type"] == "attachment"]
    views = [r for r in records if r["action"] == "view" and r["object_type"] == "attachment"]
    denied = [r for r in records if r["action"] == "denied"]
    assert len(created) == 1 and created[0]["object_id"] == doc["id"]
    assert {r["detail"] for r in views} == {"attachment:file", "attachment:thumb"}
    assert all(r["user_id"] == users["support"]["id"] for r in views)
    assert len(denied) >= 5
    assert all("rooster" not in str(r) for r in records)  # ids only, never names


def test_removing_a_file_deletes_it_from_disk(app, users, login, team):
    client = login(app.test_client(), "teacher")
    add_agreement(client, team, [("rooster.jpg", jpeg())])
    doc = get_store().attachments.all()[0]
    # Another member who did not add it and does not manage the trajectory may not remove it.
    other = get_store().users.create({"username": "t2", "display_name": "T2", "roles": ["teacher"],
                                      "password_hash": "x", "active": True})
    assert other
    response = client.post(f"/t/{team['id']}/files/{doc['id']}/delete")
    assert response.status_code == 302
    assert get_store().attachments.all() == [] and disk_files(app) == set()
    assert any(r["action"] == "delete" and r["object_id"] == doc["id"]
               for r in get_store().audit.all())


def test_a_teacher_may_not_remove_someone_elses_file(app, users, login, team):
    support = login(app.test_client(), "support")
    add_agreement(support, team, [("rooster.jpg", jpeg())])
    doc = get_store().attachments.all()[0]
    teacher = login(app.test_client(), "teacher")
    assert teacher.post(f"/t/{team['id']}/files/{doc['id']}/delete").status_code == 403
    assert get_store().attachments.get(doc["id"]) is not None


def test_erasing_the_pupil_removes_the_files_from_disk(app, users, login, team):
    from journal.privacy import erasure

    client = login(app.test_client(), "teacher")
    add_agreement(client, team, [("rooster.jpg", jpeg()), ("plan.pdf", PDF)])
    assert len(disk_files(app)) == 3
    erasure.erase_pupil(team["pupil_id"], actor_id=users["coordinator"]["id"])
    assert get_store().attachments.all() == [] and disk_files(app) == set()


def test_the_inspection_copy_holds_the_files(app, users, login, team):
    import base64

    from journal.privacy import export

    client = login(app.test_client(), "teacher")
    add_agreement(client, team, [("plan.pdf", PDF)])
    copy = export.build(team["pupil_id"])
    files = copy["trajectories"][0]["files"]
    assert [f["name"] for f in files] == ["plan.pdf"]
    assert base64.b64decode(files[0]["content_base64"]) == PDF
