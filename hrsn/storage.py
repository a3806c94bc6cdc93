"""Uploaded files on disk: the type decided from the content, written whole or not at all, under generated
names inside the instance's uploads folder, and read back only by their stored name."""
import errno
import hashlib
import os
import re
import tempfile
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

import filetype
from flask import current_app

ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "image/heic": "heic",
           "image/heif": "heic"}
CHUNK = 64 * 1024
STORED_NAME = re.compile(r"[0-9a-f]{32}\.(pdf|jpg|png|heic)")


class UploadRefused(ValueError):
    """The file cannot be kept; the message key says why (see documents.files.REFUSALS)."""


@dataclass
class Stored:
    stored_name: str
    content_type: str
    size: int
    sha256: str


def uploads_dir() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def sniff(head: bytes, tail: bytes) -> str:
    """The file's type from its first and last bytes; UploadRefused when it is not one we keep."""
    if not head:
        raise UploadRefused("empty")
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime == "application/pdf" or head.startswith(b"%PDF-"):
        if not head.startswith(b"%PDF-"):
            raise UploadRefused("type")
        if b"%%EOF" not in tail:
            raise UploadRefused("truncated")
        return "application/pdf"
    if mime in ALLOWED:
        return "image/heic" if mime == "image/heif" else mime
    raise UploadRefused("type")


def store(stream, limit: int) -> Stored:
    """Copy the upload to a temporary file in the uploads folder, check it, then rename it into place.

    Reads at most limit + 1 bytes; a crash leaves at most a temporary file, never a half file under a real name."""
    folder = uploads_dir()
    digest = hashlib.sha256()
    size, head, tail = 0, b"", b""
    fd, temp_path = tempfile.mkstemp(prefix=".incoming-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise UploadRefused("size")
                if len(head) < 8192:
                    head += chunk[:8192 - len(head)]
                tail = (tail + chunk)[-1024:]
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        content_type = sniff(head, tail)
        stored_name = f"{uuid.uuid4().hex}.{ALLOWED[content_type]}"
        os.replace(temp_path, folder / stored_name)
        _sync_folder(folder)
    except BaseException as error:
        try:
            os.unlink(temp_path)
        except FileNotFoundError:
            pass
        if isinstance(error, OSError) and error.errno in DISK_ERRORS:
            raise UploadRefused("disk") from error
        raise
    return Stored(stored_name, content_type, size, digest.hexdigest())


# A full disk, a disk quota, a folder that became read-only or unwritable: the file cannot be kept.
DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}


def discard(stored_name: str) -> None:
    """Remove a file whose record was not saved, so that no file is left without its row."""
    try:
        os.unlink(path_of(stored_name))
    except (OSError, ValueError):
        pass


def sha256_of(stored_name: str) -> str:
    digest = hashlib.sha256()
    with open(path_of(stored_name), "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_name(original: str, content_type: str) -> str:
    """The name a file is downloaded under: as it was uploaded, with the extension of what it really is."""
    stem = original.rsplit(".", 1)[0] if "." in original else original
    return f"{stem or 'document'}.{ALLOWED.get(content_type, 'bin')}"


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a system without directory handles skips it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def path_of(stored_name: str) -> Path:
    """The file's path, refusing anything that is not one of our generated names."""
    if not STORED_NAME.fullmatch(stored_name or ""):
        raise FileNotFoundError(stored_name)
    return uploads_dir() / stored_name


def display_name(raw: str | None, fallback: str) -> str:
    """The uploaded file's name, for display only: no folders, no control characters, at most 200 characters."""
    name = (raw or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C").strip()
    name = name.lstrip(".") or fallback
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + "…." + ext[:8]) if dot and len(ext) <= 8 else name[:200]
    return name


# Request bodies ------------------------------------------------------------------------------------

MB = 1024 * 1024
FORM_LIMIT = 2 * MB                 # every other form: notes and fields only


def limit_body():
    """Runs first on every request: refuse a body over the limit before any of it is read."""
    from flask import abort, g, request

    from hrsn import settings
    from hrsn.steps import wiring
    if request.endpoint in wiring().uploads:
        g.upload_limit_mb = settings.get("upload_max_mb")
        cap = g.upload_limit_mb * MB + 64 * 1024     # room for the form's other fields
    else:
        cap = FORM_LIMIT
    request.max_content_length = cap
    if request.content_length is not None and request.content_length > cap:
        abort(413)


def spool_in_uploads(total_content_length, content_type, filename, content_length=None):
    """Where the form parser keeps an incoming file: an unnamed temporary file in the uploads folder, so that
    nothing of an upload is written anywhere else (and it vanishes when the request ends)."""
    spool = uploads_dir() / ".spool"
    spool.mkdir(mode=0o700, exist_ok=True)
    return tempfile.TemporaryFile("wb+", dir=spool)
