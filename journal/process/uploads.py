"""Checking uploads before they are kept: every photo re-encoded, PDFs recognised, the rest refused.

Images are *decoded* with Pillow (only JPEG, PNG, WebP and GIF, the first frame
of an animation), turned upright, bounded to ``JOURNAL_IMAGE_MAX_SIDE`` pixels a
side and encoded again from the pixels alone, so EXIF (GPS, camera, comments),
XMP, ICC profiles and PNG text chunks never reach the disk; a thumbnail is made
as well. Decompression bombs (more than ``JOURNAL_UPLOAD_MAX_PIXELS``) are
refused before decoding. PDF files (recognised by their first bytes ``%PDF-``)
are kept as they are. Anything else is refused with a message saying why.
The records and who may see them are :mod:`journal.process.attachments`.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import quote

from flask import current_app
from flask_babel import gettext as _

from ..storage import get_store
from ..storage.files import FileStore
from . import ValidationError

#: Pillow formats accepted (after decoding), and what we store them as.
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
THUMB_SIDE = 320
MAX_NAME = 120
MAX_CAPTION = 300
#: Form field names.
FILE_FIELD = "attachments"


@dataclass
class Prepared:
    """One upload that passed the checks, ready to be written."""

    name: str                      # the cleaned original name (with the real extension)
    kind: str                      # "image" or "pdf"
    data: bytes
    fmt: str                       # "jpeg", "png" or "pdf"
    width: int = 0
    height: int = 0
    thumb: bytes | None = None
    caption: str = ""
    stored: dict = field(default_factory=dict)  # names on disk once written

# -- settings -------------------------------------------------------------------------

def _config(key: str, default):
    return current_app.config.get(key, default)


def max_file_bytes() -> int:
    """The largest file accepted (``JOURNAL_UPLOAD_MAX_BYTES``)."""
    return int(_config("JOURNAL_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def max_total_bytes() -> int:
    """The most the instance keeps in attachments (``JOURNAL_UPLOAD_MAX_TOTAL_BYTES``)."""
    return int(_config("JOURNAL_UPLOAD_MAX_TOTAL_BYTES", 2 * 1024 ** 3))


def max_files() -> int:
    """The most files one form takes at once (``JOURNAL_UPLOAD_MAX_FILES``)."""
    return int(_config("JOURNAL_UPLOAD_MAX_FILES", 5))


def request_limit() -> int:
    """The body size an upload form may send: every file at its limit, plus the text."""
    return max_files() * max_file_bytes() + 2 * 1024 * 1024


def file_store() -> FileStore:
    """The folder holding this instance's attachment files."""
    folder = current_app.config.get("JOURNAL_FILES_DIR") or f"{current_app.instance_path}/files"
    return FileStore(folder)


# -- names ------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_UNSAFE = re.compile(r"[\"'`<>|:*?;\\/]")
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_name(raw: str | None) -> str:
    """Return the user's file name without folders, control characters or quotes."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _BIDI.sub("", _CONTROL.sub("", name))
    name = _UNSAFE.sub("_", name).strip(" .")
    return name[:MAX_NAME] or "bestand"


def _with_extension(name: str, ext: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" .") or "bestand"
    return f"{stem[:MAX_NAME - len(ext) - 1]}.{ext}"


def content_disposition(name: str, *, inline: bool = False) -> str:
    """Return a ``Content-Disposition`` value for ``name`` (RFC 6266, RFC 5987).

    The plain ``filename`` is an ASCII fallback; ``filename*`` carries the
    name in UTF-8, percent-encoded.
    """
    name = clean_name(name)
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r"[^A-Za-z0-9._ -]", "_", fallback).strip() or "bestand"
    encoded = quote(name, safe="")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


# -- checking and re-encoding -----------------------------------------------------------------

def refuse(message: str, name: str = "") -> None:
    """Raise the :class:`ValidationError` for the file field (naming the file, if any)."""
    raise ValidationError({FILE_FIELD: [f"{name}: {message}" if name else message]})


def _image(data: bytes, name: str, max_side: int | None = None) -> Prepared:
    from PIL import Image
    from PIL import ImageFile
    from PIL import ImageOps
    from PIL import UnidentifiedImageError

    limit = int(_config("JOURNAL_UPLOAD_MAX_PIXELS", 50_000_000))
    side = max_side or int(_config("JOURNAL_IMAGE_MAX_SIDE", 2560))
    Image.MAX_IMAGE_PIXELS = limit  # Pillow's own bomb check (an error beyond twice this)
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    refused = _("Only photos and scans (JPEG, PNG, WebP or GIF) and PDF files can be added.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        too_big = _("This picture has too many pixels to open safely (at most %(n)d million).",
                    n=max(1, limit // 1_000_000))
        try:
            image = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            refuse(too_big, name)
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            refuse(refused, name)
        source_format = image.format
        width, height = image.size
        if width < 1 or height < 1 or width * height > limit:
            refuse(too_big, name)
        try:
            image.seek(0)  # an animation: the first frame only
            image.load()
            image = ImageOps.exif_transpose(image)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            refuse(too_big, name)
        except (OSError, ValueError, SyntaxError, EOFError):
            refuse(_("This picture is damaged or incomplete. Take or save it again."), name)
    transparent = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info)
    photo = source_format in ("JPEG", "WEBP") and not transparent
    mode = "RGB" if photo else ("RGBA" if transparent else "RGB")
    image = image.convert(mode)
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    # A new image from the pixels alone: no EXIF, XMP, ICC profile, comments or text chunks.
    clean = Image.frombytes(mode, image.size, image.tobytes())
    fmt = "jpeg" if photo else "png"
    main = _encode(clean, fmt)
    small = clean.copy()
    small.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    thumb = _encode(small, fmt)
    return Prepared(name=_with_extension(name, "jpg" if fmt == "jpeg" else "png"), kind="image",
                    data=main, fmt=fmt, width=clean.width, height=clean.height, thumb=thumb)


def _encode(image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "jpeg":
        image.save(out, "JPEG", quality=85, optimize=True)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def prepare_one(raw_name: str | None, data: bytes, caption: str = "", *,
                max_side: int | None = None) -> Prepared:
    """Check one upload and return it re-encoded; raise :class:`ValidationError` if refused.

    :param max_side: the longest side of a picture, when smaller than the instance's
        ``JOURNAL_IMAGE_MAX_SIDE`` (pictures in a practice example file).
    """
    name = clean_name(raw_name)
    if not data:
        refuse(_("This file is empty."), name)
    limit = max_file_bytes()
    if len(data) > limit:
        refuse(_("This file is too large (at most %(n)s MB).",
                  n=megabytes(limit)), name)
    if data.startswith(b"%PDF-"):
        prepared = Prepared(name=_with_extension(name, "pdf"), kind="pdf", data=data, fmt="pdf")
    else:
        prepared = _image(data, name, max_side)
    prepared.caption = " ".join((caption or "").split())[:MAX_CAPTION]
    return prepared


def megabytes(n: int) -> str:
    """Return ``n`` bytes as megabytes for a message (``10``, ``2.5``)."""
    value = n / (1024 * 1024)
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def uploads_from(files, captions: list[str] | None = None) -> list[tuple[str, bytes, str]]:
    """Read the non-empty file parts of a form (werkzeug ``FileStorage`` objects)."""
    out = []
    captions = captions or []
    for index, storage in enumerate(files):
        if storage is None or not (storage.filename or ""):
            continue  # the file field was left empty
        data = storage.read(max_file_bytes() + 1)
        out.append((storage.filename, data, captions[index] if index < len(captions) else ""))
    return out


def prepare(uploads: list[tuple[str, bytes, str]], *, max_side: int | None = None) -> list[Prepared]:
    """Check every upload; raise one :class:`ValidationError` naming each refused file."""
    if len(uploads) > max_files():
        refuse(_("Add at most %(n)d files at a time.", n=max_files()))
    messages, out = [], []
    for raw_name, data, caption in uploads:
        try:
            out.append(prepare_one(raw_name, data, caption, max_side=max_side))
        except ValidationError as exc:
            messages.extend(exc.errors[FILE_FIELD])
    if messages:
        raise ValidationError({FILE_FIELD: messages})
    used = stored_bytes()
    adding = sum(len(p.data) + len(p.thumb or b"") for p in out)
    if out and used + adding > max_total_bytes():
        refuse(_("The journal has no room for more files (its limit is reached). "
                  "Ask the administrator; your text is kept."))
    return out


def stored_bytes() -> int:
    """Return how many bytes the stored attachments take (from their records)."""
    return sum(int((d.get("file") or {}).get("size", 0)) + int((d.get("thumb") or {}).get("size", 0))
               for d in get_store().attachments.all_readonly())
