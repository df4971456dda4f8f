"""Files through the gateway: the "file" field of an upload (multipart/form-data) and its OpenAPI body;
the Content-Disposition and schema of a download."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import quote

from ywtb.common.errors import InvalidArgument

BINARY = {"schema": {"type": "string", "format": "binary"}}


def upload_body(description: str) -> dict[str, Any]:
    """The OpenAPI requestBody of a route that takes one file in the field "file"."""
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": description}
                    },
                }
            }
        },
    }


def file_part(content_type: str, body: bytes) -> tuple[str, bytes]:
    """(file name, content) of the "file" field of a multipart/form-data body (stdlib parser)."""
    if not content_type.lower().startswith("multipart/form-data"):
        message = "请以 multipart/form-data 方式上传文件（字段名 file）。"
        raise InvalidArgument(message, fields={"file": message})
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    for part in message.iter_parts() if message.is_multipart() else ():
        if part.get_param("name", header="content-disposition") == "file":
            return part.get_filename() or "", part.get_payload(decode=True) or b""
    text = "未收到上传的文件，请选择文件后重新上传（字段名 file）。"
    raise InvalidArgument(text, fields={"file": text})


def content_disposition(file_name: str, disposition: str = "inline") -> str:
    """A Content-Disposition with an ASCII fallback name and the UTF-8 name (RFC 6266 / RFC 5987)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in file_name)
    return (
        f"{disposition}; filename=\"{fallback or 'material'}\"; filename*=UTF-8''{quote(file_name, safe='')}"
    )
