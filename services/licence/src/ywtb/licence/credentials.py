"""Licences as W3C Verifiable Credentials: the holder's credential of a licence, VC-API issue for an issuing
department's staff, and what verifiers fetch (each issuer's DID document and status list)."""

from __future__ import annotations

import hashlib
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ywtb.common.auth.principal import Principal
from ywtb.common.clock import Clock, Clocked, utc_now
from ywtb.common.db import Database
from ywtb.common.errors import NotFound, PermissionDenied
from ywtb.licence import authz, credential_status
from ywtb.licence.credential_keys import CredentialKeys
from ywtb.licence.credential_shape import check_credential, issuer_id, malformed
from ywtb.licence.data_integrity import add_proof, proof_options
from ywtb.licence.issuer_dids import IssuerDids
from ywtb.licence.licence_credentials import CREDENTIAL_TYPE, licence_credential, licence_identifier_of
from ywtb.licence.licences import Licences
from ywtb.licence.linked_data import DocumentLoader, UnloadableContext, canonical_nquads
from ywtb.licence.models import CredentialIssue
from ywtb.licence.multikey import public_multibase


def _issuer_unknown() -> NotFound:
    return NotFound("该部门尚未签发可验证凭证。", code="LICENCE_ISSUER_NOT_FOUND")


class Credentials(Clocked):
    """Signing credentials in a department's name and publishing what verifies them."""

    def __init__(
        self,
        db: Database,
        keys: CredentialKeys,
        dids: IssuerDids,
        loader: DocumentLoader,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self.db = db
        self.keys = keys
        self.dids = dids
        self.loader = loader
        self.clock = clock

    def of_licence(self, principal: Principal, identifier: str) -> dict[str, Any]:
        """One of the caller's licences as a credential signed now by its issuer, with its status list slot."""
        with self.db.transaction() as session:
            licence = Licences.find_held(session, principal, identifier)
            slot = credential_status.slot_of(session, licence)
            status = credential_status.entry(self.dids.status_list_url(licence.issuer), slot)
            unsigned = licence_credential(licence, self.dids.did(licence.issuer), status)
            key = self.keys.key_for(session, licence.tenant, licence.issuer, self.now())
            return self._sign(key, licence.issuer, unsigned)

    def issue(self, principal: Principal, credential: dict[str, Any]) -> dict[str, Any]:
        """VC-API issue: the caller's department signs the credential, which names its did:web as issuer."""
        authz.require_issuer_staff(principal, principal.tenant, principal.dept)
        check_credential(credential)
        if "proof" in credential:
            raise malformed("待签发的凭证不应带有证明（proof）。", "the credential already has a proof")
        if licence_identifier_of(credential) is not None or CREDENTIAL_TYPE in credential.get("type", []):
            raise malformed(
                "电子证照的凭证由本平台按已签发的证照生成（我的证照），不能经签发接口签发。",
                "licence credentials are made from issued licences only",
            )
        if self.dids.dept_of(issuer_id(credential)) != principal.dept:
            raise PermissionDenied(
                f"只能以本部门的身份签发凭证：issuer 应为 {self.dids.did(principal.dept)}。",
                code="CREDENTIAL_ISSUER_NOT_OWN",
                message_en="the issuer must be the caller's department",
            )
        with self.db.transaction() as session:
            key = self.keys.key_for(session, principal.tenant, principal.dept, self.now())
            signed = self._sign(key, principal.dept, credential)
            kinds = credential.get("type")
            session.add(
                CredentialIssue(
                    tenant=principal.tenant,
                    dept=principal.dept,
                    credential_id=str(credential.get("id", ""))[:300],
                    types=[k for k in kinds if isinstance(k, str)]
                    if isinstance(kinds, list)
                    else [str(kinds)],
                    document_sha256=hashlib.sha256(
                        canonical_nquads(credential, self.loader).encode()
                    ).hexdigest(),
                    issued_by=principal.subject,
                    issued_at=self.now(),
                )
            )
            return signed

    def issuer_document(self, dept: str) -> dict[str, Any]:
        """The department's DID document (NotFound until it first signs a credential)."""
        with self.db.transaction() as session:
            public = self.keys.public_key(session, dept)
        if public is None:
            raise _issuer_unknown()
        return self.dids.document(dept, public)

    def status_list(self, dept: str) -> dict[str, Any]:
        """The department's BitstringStatusListCredential, signed now."""
        with self.db.transaction() as session:
            key = self.keys.key_of(session, dept)
            if key is None:
                raise _issuer_unknown()
            slots = credential_status.ended_slots(session, dept)
        unsigned = credential_status.list_credential(
            self.dids.status_list_url(dept), self.dids.did(dept), slots, self.now()
        )
        return self._sign(key, dept, unsigned)

    def _sign(self, key: Ed25519PrivateKey, dept: str, credential: dict[str, Any]) -> dict[str, Any]:
        options = proof_options(self.dids.method(dept, public_multibase(key)), self.now())
        try:
            return add_proof(credential, key, options, self.loader)
        except UnloadableContext as error:
            raise malformed(
                f"凭证使用了本平台无法离线加载的 JSON-LD 上下文：{error}；请改用 W3C 凭证 v2 上下文和内嵌上下文。",
                f"unknown context {error}",
            ) from error
        except ValueError as error:
            raise malformed(f"凭证不是有效的 JSON-LD：{error}", str(error)) from error
