"""What a VC Data Model 2.0 credential or presentation must look like before it is signed or verified."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ywtb.common.errors import InvalidArgument
from ywtb.licence.data_integrity import DATE_TIME_STAMP
from ywtb.licence.linked_data import CREDENTIALS_V2

MAX_DOCUMENT_CHARS = 256 * 1024


def malformed(message: str, message_en: str) -> InvalidArgument:
    """The one error of a document this service cannot take, with what to do."""
    return InvalidArgument(message, code="CREDENTIAL_MALFORMED", message_en=message_en)


def parse_document(text: str, what: str) -> dict[str, Any]:
    """A JSON object from the request's text."""
    if len(text) > MAX_DOCUMENT_CHARS:
        raise malformed(f"{what}过大（上限 256 KB）。", f"the {what} is larger than 256 KB")
    try:
        document = json.loads(text)
    except ValueError as error:
        raise malformed(f"{what}不是有效的 JSON：{error}", "not valid JSON") from error
    if not isinstance(document, dict):
        raise malformed(f"{what}应为 JSON 对象。", "not a JSON object")
    return document


def _types(document: Mapping[str, Any]) -> list[str]:
    kinds = document.get("type")
    found = kinds if isinstance(kinds, list) else [kinds]
    return [k for k in found if isinstance(k, str)]


def _require_v2(document: Mapping[str, Any], kind: str) -> None:
    context = document.get("@context")
    if not isinstance(context, list) or not context or context[0] != CREDENTIALS_V2:
        raise malformed(
            f"@context 的第一项应为 {CREDENTIALS_V2}（VC 数据模型 2.0）。",
            "@context must start with credentials v2",
        )
    if kind not in _types(document):
        raise malformed(f"type 应包含 {kind}。", f"type must include {kind}")


def issuer_id(credential: Mapping[str, Any]) -> str:
    """The issuer's id: the issuer itself when a string, else its `id`."""
    issuer = credential.get("issuer")
    found = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    return found if isinstance(found, str) else ""


def check_credential(credential: Mapping[str, Any]) -> None:
    """A credential of VC Data Model 2.0: its context, type, issuer, subject and validity period."""
    _require_v2(credential, "VerifiableCredential")
    if not issuer_id(credential):
        raise malformed("凭证缺少签发者（issuer）。", "the credential has no issuer")
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    if not subjects or not all(isinstance(s, Mapping) and s for s in subjects):
        raise malformed("凭证缺少凭证主体（credentialSubject）。", "the credential has no credentialSubject")
    for name in ("validFrom", "validUntil"):
        value = credential.get(name)
        if value is not None and not (isinstance(value, str) and DATE_TIME_STAMP.fullmatch(value)):
            raise malformed(
                f"{name} 应为带时区的日期时间，例如 2026-12-06T00:00:00+08:00。",
                f"{name} is not a dateTimeStamp",
            )


def check_presentation(presentation: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A presentation of VC Data Model 2.0 and the credentials it carries (at least one)."""
    _require_v2(presentation, "VerifiablePresentation")
    carried = presentation.get("verifiableCredential")
    credentials = carried if isinstance(carried, list) else [carried] if carried is not None else []
    if not credentials or not all(isinstance(c, dict) for c in credentials):
        raise malformed(
            "出示的凭证（verifiableCredential）应为一个或多个凭证对象。",
            "verifiableCredential must hold credentials",
        )
    return credentials


def holder_id(presentation: Mapping[str, Any]) -> str:
    """The presentation's holder's id, or '' when it names none."""
    holder = presentation.get("holder")
    found = holder.get("id") if isinstance(holder, Mapping) else holder
    return found if isinstance(found, str) else ""
