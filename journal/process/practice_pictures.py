"""Pictures in practice examples: picked by the author, confirmed one by one by the reviewer.

A photo of a pictogram schedule or a step card often says more than the text.
The author picks pictures of the source (the entry's or the register row's
attachments, or new uploads, which are kept with the source like any other
file: the team sees them, nobody else). On the review page the reviewer sees
each picked picture next to the anonymised text and confirms, per picture,
that no person can be recognised in it; a picture left unconfirmed stays out
of the file. Each decision is audited.

A confirmed picture enters the file re-encoded from its pixels alone (no
metadata, at most :data:`PICTURE_SIDE` pixels a side, at most
:data:`MAX_PICTURE_BYTES`), as base64, with its caption anonymised like the
text; its file name never leaves the school. A picture in a file from
elsewhere (an import, an example adopted through a centre) is decoded and
encoded again like every upload (:mod:`journal.process.uploads`) before it is
kept as an attachment of the example (owner ``practice``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io

from flask_babel import gettext as _

from ..security import access
from ..security.audit import audit
from ..storage import get_store
from . import ValidationError
from . import attachments
from . import uploads

#: Pictures per example, their longest side and their largest size in the file.
MAX_PICTURES = 3
PICTURE_SIDE = 1024
MAX_PICTURE_BYTES = 400 * 1024
#: The form field that names the picked pictures, and the review's confirmations.
PICKED_FIELD = "pictures"
CONFIRMED_FIELD = "confirmed"


def owners(source) -> tuple[str, list[tuple[str, str]]]:
    """Return the trajectory id of a practice example's source and its attachment owners
    (an entry and its agreement's register row, or a promoted register row)."""
    if source.adaptation is not None:
        return source.adaptation.get("trajectory_id") or "", [
            ("adaptation", source.adaptation.get("source_key") or "")]
    entry_id = source.entry["id"]
    return source.entry["trajectory_id"], [("entry", entry_id), ("adaptation", f"entry.{entry_id}")]


def candidates(actor: dict, source) -> list[dict]:
    """Return the pictures of the source ``actor`` may see (oldest first)."""
    trajectory_id, owner_list = owners(source)
    trajectory = source.trajectory or get_store().trajectories.get(trajectory_id)
    docs = [doc for owner_type, owner_id in owner_list
            for doc in attachments.of_owner(owner_type, owner_id)]
    return [d for d in docs if d["kind"] == "image" and attachments.may_see(actor, d, trajectory)]


def picked(actor: dict, source, ids) -> list[dict]:
    """Return the source's pictures named in ``ids`` that ``actor`` may see, in that order;
    ids of other files are ignored."""
    known = {d["id"]: d for d in candidates(actor, source)}
    return [known[i] for i in dict.fromkeys(ids or ()) if i in known][:MAX_PICTURES]


def may_add(actor: dict, source) -> bool:
    """Return whether ``actor`` may upload pictures for an example from this source
    (they are kept with the source, so it needs the right to write in its trajectory)."""
    trajectory_id, _owners = owners(source)
    trajectory = source.trajectory or get_store().trajectories.get(trajectory_id)
    return trajectory is not None and trajectory.get("phase") != "closed" and \
        access.can(actor, access.WRITE, trajectory)


def add(actor: dict, source, files: list[tuple[str, bytes, str]]) -> list[dict]:
    """Upload pictures for an example: kept with the source (the entry, or the register
    row), checked and re-encoded like every attachment, audited.

    :raise ValidationError: a file is not a picture, or is refused (``attachments``).
    :raise NotFound: ``actor`` may not see the source's trajectory (audited).
    :raise Forbidden: ``actor`` may not write in it (audited).
    """
    for name, data, _caption in files:
        if data.startswith(b"%PDF-"):
            uploads.refuse(_("Only pictures can go with a practice example."),
                           uploads.clean_name(name))
    trajectory_id, owner_list = owners(source)
    owner_type, owner_id = owner_list[0]
    return attachments.add(actor, trajectory_id, owner_type, owner_id, files)


def review_digest(text: str, pictures: list[dict], captions: list[str]) -> str:
    """Return the fingerprint of what the reviewer saw: the file text and each picked
    picture (its bytes and the caption that would be shared)."""
    parts = [text] + [f"{d['id']}:{d['file']['sha256']}:{c}" for d, c in zip(pictures, captions)]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def confirm(actor: dict, pictures: list[dict], confirmed_ids, *, detail: str) -> list[dict]:
    """Record the reviewer's decision on each picked picture and return the confirmed ones.

    A picture is confirmed when its id is in ``confirmed_ids`` (the reviewer ticked
    "no person can be recognised"); every other picked picture is left out. Both are
    audited (``detail``: where the example goes).
    """
    chosen = set(confirmed_ids or ())
    out = []
    for doc in pictures:
        ok = doc["id"] in chosen
        audit("update", object_type="attachment", object_id=doc["id"], user_id=actor["id"],
              pupil_id=doc.get("pupil_id") or "",
              detail=f"practice:{'no_person_confirmed' if ok else 'left_out'}:{detail}")
        if ok:
            out.append(doc)
    return out


def for_file(pictures: list[dict], captions: list[str]) -> list[dict]:
    """Return the ``pictures`` part of a file: each picture re-encoded, with its shared caption."""
    return [{"caption": caption, "content_base64": base64.b64encode(shared_bytes(doc)).decode()}
            for doc, caption in zip(pictures, captions)]


def shared_bytes(doc: dict) -> bytes:
    """Return a stored picture as it goes into a file: a JPEG from its pixels alone, at most
    :data:`PICTURE_SIDE` pixels a side and :data:`MAX_PICTURE_BYTES` (made smaller if needed)."""
    from PIL import Image

    image = Image.open(io.BytesIO(attachments.read(doc)))
    image.load()
    if image.mode != "RGB":
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        image = flat
    side = PICTURE_SIDE
    while True:
        small = image.copy()
        small.thumbnail((side, side), Image.Resampling.LANCZOS)
        clean = Image.frombytes("RGB", small.size, small.tobytes())
        out = io.BytesIO()
        clean.save(out, "JPEG", quality=85, optimize=True)
        if out.tell() <= MAX_PICTURE_BYTES or side <= 256:
            return out.getvalue()
        side = side * 3 // 4


def from_example(example: dict) -> list[uploads.Prepared]:
    """Check the pictures of an example from a file and return them re-encoded (not kept yet).

    :raise ValidationError: on the ``file`` field, saying what is wrong.
    """
    def refuse(message: str):
        raise ValidationError({"file": [message]})

    raw = example.get("pictures")
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_PICTURES:
        refuse(_("The file holds more than %(n)d pictures.", n=MAX_PICTURES))
    files = []
    for number, picture in enumerate(raw, start=1):
        picture = picture if isinstance(picture, dict) else {}
        encoded = picture.get("content_base64")
        try:
            data = base64.b64decode(encoded if isinstance(encoded, str) else "", validate=True)
        except (binascii.Error, ValueError):
            data = b""
        if not data:
            refuse(_("Picture %(n)d in the file is empty or damaged.", n=number))
        if len(data) > MAX_PICTURE_BYTES:
            refuse(_("Picture %(n)d in the file is too large.", n=number))
        if data.startswith(b"%PDF-"):
            refuse(_("Picture %(n)d in the file is not a picture.", n=number))
        caption = picture.get("caption") if isinstance(picture.get("caption"), str) else ""
        files.append((f"{_('picture')}-{number}", data, caption))
    try:
        return uploads.prepare(files, max_side=PICTURE_SIDE)
    except ValidationError as exc:
        raise ValidationError({"file": exc.errors[uploads.FILE_FIELD]}) from None


def keep(actor: dict, example: dict, prepared: list[uploads.Prepared]) -> list[dict]:
    """Write the checked pictures of a stored example and keep them as its attachments."""
    if not prepared:
        return []
    attachments.write(prepared)
    return attachments.record(prepared, actor=actor, owner_type="practice",
                              owner_id=example["id"], trajectory=None)

