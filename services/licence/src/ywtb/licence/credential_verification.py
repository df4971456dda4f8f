"""VC-API verification: a credential's proofs, validity period and status, a presentation's proof, and for a
licence's credential the licence's own checks, each answered separately.

Keys are resolved without the network: did:key from the identifier itself, did:web of this platform's
issuers from the licence database; any other verification method is reported as not resolvable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ywtb.common.clock import Clock, Clocked, utc_now
from ywtb.common.db import Database
from ywtb.common.errors import NotFound
from ywtb.licence import credential_status
from ywtb.licence.credential_keys import CredentialKeys
from ywtb.licence.credential_shape import (
    check_credential,
    check_presentation,
    holder_id,
    issuer_id,
    malformed,
)
from ywtb.licence.data_integrity import ASSERTION, AUTHENTICATION, ProofError, proofs_of, verify_proof
from ywtb.licence.issuer_dids import IssuerDids
from ywtb.licence.licence_credentials import licence_identifier_of
from ywtb.licence.licences import Licences
from ywtb.licence.linked_data import DocumentLoader, UnloadableContext
from ywtb.licence.models import VALID, Licence
from ywtb.licence.multikey import did_key_method, public_key_bytes
from ywtb.licence.verification import Check, Verifier

PROOF, VALIDITY, STATUS, CHALLENGE, DOMAIN = "proof", "validity", "status", "challenge", "domain"
PROOF_ERROR = "https://w3id.org/security#PROOF_VERIFICATION_ERROR"
CHALLENGE_ERROR = "https://w3id.org/security#INVALID_CHALLENGE_ERROR"
DOMAIN_ERROR = "https://w3id.org/security#INVALID_DOMAIN_ERROR"
RANGE_ERROR = "https://www.w3.org/TR/vc-data-model#RANGE_ERROR"
STATUS_ERROR = "urn:ywtb:licence:problem#REVOKED"
STATUS_WARNING = "https://www.w3.org/TR/vc-bitstring-status-list#STATUS_RETRIEVAL_ERROR"


@dataclass(frozen=True)
class Problem:
    """A ProblemDetails of the answer."""

    type: str
    title: str
    detail: str


@dataclass
class CredentialResult:
    """The answer for one credential: verified when every check passed and nothing failed."""

    checks: list[Check] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        """True when every check passed and no error was found."""
        return bool(self.checks) and all(c.passed for c in self.checks) and not self.errors

    def fail(self, name: str, problem: Problem) -> None:
        """A failed check and its error."""
        self.checks.append(Check(name, False, problem.detail))
        self.errors.append(problem)


@dataclass
class PresentationResult(CredentialResult):
    """The answer for a presentation: its own checks and each credential's."""

    credentials: list[CredentialResult] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        """True when the presentation and every credential in it verified."""
        return super().verified and all(c.verified for c in self.credentials)


def _parse_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None


class CredentialVerifier(Clocked):
    """Verifies credentials and presentations in one read transaction each."""

    def __init__(
        self,
        db: Database,
        keys: CredentialKeys,
        dids: IssuerDids,
        verifier: Verifier,
        loader: DocumentLoader,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self.db = db
        self.keys = keys
        self.dids = dids
        self.verifier = verifier
        self.loader = loader
        self.clock = clock

    def credential(self, credential: dict[str, Any]) -> CredentialResult:
        """Every check of one verifiable credential."""
        check_credential(credential)
        with self.db.transaction() as session:
            return self._credential(session, credential)

    def presentation(self, presentation: dict[str, Any], challenge: str, domain: str) -> PresentationResult:
        """The presentation's proof (its holder's, with the verifier's challenge and domain) and its credentials."""
        credentials = check_presentation(presentation)
        for credential in credentials:
            check_credential(credential)
        result = PresentationResult()
        with self.db.transaction() as session:
            if "proof" in presentation:
                self._proofs(session, presentation, holder_id(presentation), AUTHENTICATION, result)
                self._bound(presentation, challenge, domain, result)
            elif challenge or domain:
                result.fail(
                    PROOF,
                    Problem(
                        PROOF_ERROR, "presentation not signed", "出示未经持有人签名，无法证明挑战值与域名"
                    ),
                )
            else:
                result.warnings.append(
                    Problem(PROOF_ERROR, "presentation not signed", "出示未经持有人签名：只核验了其中的凭证")
                )
                result.checks.append(Check(PROOF, True, "出示未签名，仅核验其中凭证"))
            result.credentials = [self._credential(session, c) for c in credentials]
        return result

    def _credential(self, session: Session, credential: dict[str, Any]) -> CredentialResult:
        result = CredentialResult()
        self._proofs(session, credential, issuer_id(credential), ASSERTION, result)
        self._validity(credential, result)
        self._status(session, credential, result)
        self._licence(session, credential, result)
        return result

    def _proofs(
        self,
        session: Session,
        document: dict[str, Any],
        controller: str,
        purpose: str,
        result: CredentialResult,
    ) -> None:
        try:
            proofs = proofs_of(document)
        except ProofError as error:
            raise malformed("文档没有证明（proof），无法核验。", str(error)) from error
        for proof in proofs:
            method = str(proof.get("verificationMethod", ""))
            resolved = self._resolve(session, method)
            if resolved is None:
                detail = f"无法解析验证方法 {method}：本平台只解析 did:key 和本平台发证部门的 did:web"
                result.fail(PROOF, Problem(PROOF_ERROR, "verification method not resolved", detail))
                continue
            did, public_key = resolved
            if controller and did != controller:
                detail = f"证明的签名者 {did} 不是 {controller}"
                result.fail(PROOF, Problem(PROOF_ERROR, "proof not by the issuer or holder", detail))
                continue
            if proof.get("proofPurpose") != purpose:
                detail = f"证明的用途应为 {purpose}"
                result.fail(PROOF, Problem(PROOF_ERROR, "wrong proof purpose", detail))
                continue
            try:
                genuine = verify_proof(document, proof, public_key, self.loader)
            except UnloadableContext as error:
                raise malformed(
                    f"文档使用了本平台无法离线加载的 JSON-LD 上下文：{error}", f"unknown context {error}"
                ) from error
            except ProofError as error:
                raise malformed(f"证明格式不正确：{error}", str(error)) from error
            except ValueError as error:
                raise malformed(f"文档不是有效的 JSON-LD：{error}", str(error)) from error
            if genuine:
                result.checks.append(Check(PROOF, True, f"签名有效（{did}）"))
            else:
                result.fail(
                    PROOF, Problem(PROOF_ERROR, "invalid signature", "签名无效：内容被篡改或密钥不符")
                )

    def _resolve(self, session: Session, method: str) -> tuple[str, bytes] | None:
        found = did_key_method(method)
        if found is not None:
            return found
        did, _, fragment = method.partition("#")
        dept = self.dids.dept_of(did)
        public = self.keys.public_key(session, dept) if dept else None
        raw = public_key_bytes(public) if public and fragment == public else None
        return (did, raw) if raw is not None else None

    @staticmethod
    def _bound(
        presentation: Mapping[str, Any], challenge: str, domain: str, result: CredentialResult
    ) -> None:
        proofs = proofs_of(presentation)
        if challenge:
            if all(p.get("challenge") == challenge for p in proofs):
                result.checks.append(Check(CHALLENGE, True, "挑战值一致"))
            else:
                result.fail(
                    CHALLENGE, Problem(CHALLENGE_ERROR, "challenge mismatch", "挑战值不一致：可能是重放")
                )
        if domain:
            if all(p.get("domain") == domain for p in proofs):
                result.checks.append(Check(DOMAIN, True, "域名一致"))
            else:
                result.fail(
                    DOMAIN, Problem(DOMAIN_ERROR, "domain mismatch", "域名不一致：出示给了其他核验方")
                )

    def _validity(self, credential: Mapping[str, Any], result: CredentialResult) -> None:
        now = self.now()
        starts, ends = _parse_time(credential.get("validFrom")), _parse_time(credential.get("validUntil"))
        if starts is not None and now < starts:
            result.fail(
                VALIDITY, Problem(RANGE_ERROR, "not yet valid", f"凭证自 {credential['validFrom']} 起生效")
            )
        elif ends is not None and now > ends:
            result.fail(
                VALIDITY, Problem(RANGE_ERROR, "expired", f"凭证已于 {credential['validUntil']} 到期")
            )
        else:
            result.checks.append(Check(VALIDITY, True, "在有效期内"))

    def _status(self, session: Session, credential: Mapping[str, Any], result: CredentialResult) -> None:
        status = credential.get("credentialStatus")
        for entry in status if isinstance(status, list) else [status] if status is not None else []:
            dept = (
                self.dids.dept_of_status_list(str(entry.get("statusListCredential", "")))
                if isinstance(entry, Mapping) and entry.get("type") == credential_status.ENTRY
                else None
            )
            index = str(entry.get("statusListIndex", "")) if isinstance(entry, Mapping) else ""
            if dept is None or not index.isdigit():
                detail = "状态列表不在本平台，未核对注销状态"
                result.warnings.append(Problem(STATUS_WARNING, "status not checked", detail))
                continue
            ended = session.scalar(
                select(Licence.identifier).where(
                    Licence.issuer == dept, Licence.status_index == int(index), Licence.status != VALID
                )
            )
            if ended:
                result.fail(
                    STATUS, Problem(STATUS_ERROR, "revoked", "状态列表：该版本已注销或已被新版本取代")
                )
            else:
                result.checks.append(Check(STATUS, True, "状态列表：未注销"))

    def _licence(self, session: Session, credential: dict[str, Any], result: CredentialResult) -> None:
        identifier = licence_identifier_of(credential)
        if identifier is None or self.dids.dept_of(issuer_id(credential)) is None:
            return
        try:
            licence = Licences.find(session, identifier)
        except NotFound:
            result.fail("licence", Problem(PROOF_ERROR, "licence unknown", "本平台没有该证照"))
            return
        result.checks.extend(self.verifier.checks(session, licence).checks)
