"""Material storage: where uploaded content lives (the database or files now, S3-compatible later)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session

from ywtb.common.errors import InvalidArgument, NotFound
from ywtb.intake.models import MaterialBlob

# Magic bytes of the accepted types; the name the client gives is never trusted.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
ALLOWED_TYPES = ("application/pdf", "image/jpeg", "image/png", "application/ofd")


def sniff_content_type(content: bytes) -> str | None:
    """The type of the content from its magic bytes: PDF, JPEG, PNG, or OFD (a ZIP holding OFD.xml)."""
    for magic, content_type in _SIGNATURES:
        if content.startswith(magic):
            return content_type
    if content.startswith(b"PK\x03\x04") and _is_ofd(content):
        return "application/ofd"
    return None


def _is_ofd(content: bytes) -> bool:
    """An OFD file (GB/T 33190) is a ZIP package whose entry point is OFD.xml at the root."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            return any(name.upper() == "OFD.XML" for name in package.namelist())
    except zipfile.BadZipFile:
        return False


def check_upload(content: bytes, max_bytes: int) -> tuple[str, str]:
    """(content type, SHA-256 hex) of an acceptable upload; InvalidArgument with a Chinese message otherwise."""
    if not content:
        message = "上传的文件为空，请重新选择文件。"
        raise InvalidArgument(message, code="EMPTY_FILE", fields={"file": message})
    if len(content) > max_bytes:
        limit = f"{max_bytes / (1024 * 1024):g}MB"
        message = f"文件大小超过{limit}，请压缩或分页扫描后重新上传。"
        raise InvalidArgument(
            message, code="FILE_TOO_LARGE", message_en="file too large", fields={"file": message}
        )
    content_type = sniff_content_type(content)
    if content_type is None:
        message = "仅支持上传 PDF、JPG、PNG 或 OFD 格式的文件，请转换格式后重新上传。"
        raise InvalidArgument(
            message,
            code="FILE_TYPE_NOT_ALLOWED",
            message_en="file type not allowed",
            fields={"file": message},
        )
    return content_type, hashlib.sha256(content).hexdigest()


class MaterialStorage(Protocol):
    """Where file content is kept; `session` is the caller's transaction (used by the database storage)."""

    kind: str

    def save(self, session: Session, file_id: str, content: bytes) -> None:
        """Store the content under the id."""

    def load(self, session: Session, file_id: str) -> bytes:
        """The content of a stored file; NotFound when absent."""


class DatabaseStorage:
    """Content in the intake database (bytea on PostgreSQL), committed with the file's metadata."""

    kind = "database"

    def save(self, session: Session, file_id: str, content: bytes) -> None:
        session.add(MaterialBlob(id=file_id, content=content))

    def load(self, session: Session, file_id: str) -> bytes:
        blob = session.get(MaterialBlob, file_id)
        if blob is None:
            raise NotFound("未找到该材料文件，请重新上传。", code="MATERIAL_NOT_FOUND")
        return bytes(blob.content)


class FilesystemStorage:
    """Content in files under a root directory, written atomically (temp file, fsync, rename).

    A file whose metadata transaction then rolls back is left behind unreferenced; a sweep
    of files without metadata can remove such orphans.
    """

    kind = "filesystem"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, file_id: str) -> Path:
        if not file_id or "/" in file_id or "\\" in file_id or file_id.startswith("."):
            raise NotFound("未找到该材料文件，请重新上传。", code="MATERIAL_NOT_FOUND")
        return self.root / file_id[:2] / file_id

    def save(self, session: Session, file_id: str, content: bytes) -> None:
        path = self._path(file_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load(self, session: Session, file_id: str) -> bytes:
        try:
            return self._path(file_id).read_bytes()
        except FileNotFoundError as exc:
            raise NotFound("未找到该材料文件，请重新上传。", code="MATERIAL_NOT_FOUND") from exc
