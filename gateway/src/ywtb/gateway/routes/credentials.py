"""W3C Verifiable Credentials at the gateway: the VC-API (POST /credentials/issue, /credentials/verify,
/presentations/verify) and what verifiers resolve (an issuer's did:web document, its status list).

Deviations from the VC-API: invalid input answers 422 with the gateway's error shape (not 400); issue signs
only in the caller's own department's name and ignores `options` (the service sets `created`).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from ywtb.api.licence.v1 import licence_pb2 as pb
from ywtb.gateway.auth import CurrentPrincipal, OptionalPrincipal
from ywtb.gateway.contract.answers import PUBLIC, WRITE, answers, model_answers
from ywtb.gateway.grpc_aio import AsyncStub
from ywtb.gateway.routes.grpc_json import app_state, to_json

Stub = Annotated[AsyncStub, Depends(app_state("licence"))]  # ywtb.api.licence.v1.LicenceService
CREDIT_CODE = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"
V2 = "https://www.w3.org/ns/credentials/v2"
DID = "did:web:zwfw.example.gov.cn:api:v1:licence:issuers:11510104MB2C394793"
CREDENTIAL_EXAMPLE = {
    "@context": [V2, {"inspectionResult": "urn:example:inspectionResult"}],
    "type": ["VerifiableCredential"],
    "issuer": DID,
    "validFrom": "2026-12-01T00:00:00+08:00",
    "credentialSubject": {"id": "did:example:shop", "inspectionResult": "合格"},
}
PROOF_EXAMPLE = {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-rdfc-2022",
    "created": "2026-12-01T02:00:00Z",
    "verificationMethod": f"{DID}#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
    "proofPurpose": "assertionMethod",
    "proofValue": "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme",
}
SECURED_EXAMPLE = {**CREDENTIAL_EXAMPLE, "proof": PROOF_EXAMPLE}


def _document(examples: list[dict[str, Any]]) -> ConfigDict:
    return ConfigDict(extra="allow", populate_by_name=True, json_schema_extra={"examples": examples})


class VerifiableCredential(BaseModel):
    """A credential of VC Data Model 2.0 as JSON-LD, secured by a DataIntegrityProof (eddsa-rdfc-2022)."""

    model_config = _document([SECURED_EXAMPLE])
    context: list[Any] = Field(alias="@context", description="https://www.w3.org/ns/credentials/v2 first.")
    type: list[str] | str
    issuer: dict[str, Any] | str
    credentialSubject: dict[str, Any] | list[dict[str, Any]]  # noqa: N815
    proof: dict[str, Any] | list[dict[str, Any]] | None = None


class IssueCredentialIn(BaseModel):
    """VC-API IssueCredentialRequest."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"credential": CREDENTIAL_EXAMPLE}]}
    )
    credential: dict[str, Any] = Field(
        description="The credential to sign; its issuer your department's did:web."
    )
    options: dict[str, Any] = Field(default_factory=dict, description="Accepted and ignored.")


class IssuedCredential(BaseModel):
    """VC-API IssueCredentialResponse: the credential with its proof."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"verifiableCredential": SECURED_EXAMPLE}]})
    verifiableCredential: VerifiableCredential  # noqa: N815


class VerifyCredentialIn(BaseModel):
    """VC-API VerifyCredentialRequest."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"verifiableCredential": SECURED_EXAMPLE}]}
    )
    verifiableCredential: dict[str, Any]  # noqa: N815
    options: dict[str, Any] = Field(default_factory=dict, description="Accepted and ignored.")


class PresentationOptions(BaseModel):
    """What the verifier asked the holder to sign with the presentation."""

    model_config = ConfigDict(extra="allow")
    challenge: str = Field(default="", max_length=200)
    domain: str = Field(default="", max_length=200)


PRESENTATION_EXAMPLE = {
    "verifiablePresentation": {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [SECURED_EXAMPLE],
    },
    "options": {"challenge": "", "domain": ""},
}


class VerifyPresentationIn(BaseModel):
    """VC-API VerifyPresentationRequest."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [PRESENTATION_EXAMPLE]})
    verifiablePresentation: dict[str, Any]  # noqa: N815
    options: PresentationOptions = Field(default_factory=PresentationOptions)


class DidDocument(BaseModel):
    """A did:web DID document: the issuing department's Multikey for assertions."""

    model_config = _document(
        [
            {
                "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
                "id": DID,
                "verificationMethod": [
                    {
                        "id": PROOF_EXAMPLE["verificationMethod"],
                        "type": "Multikey",
                        "controller": DID,
                        "publicKeyMultibase": "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
                    }
                ],
                "assertionMethod": [PROOF_EXAMPLE["verificationMethod"]],
            }
        ]
    )
    context: list[str] = Field(alias="@context")
    id: str
    verificationMethod: list[dict[str, Any]]  # noqa: N815
    assertionMethod: list[str]  # noqa: N815


def _json(text: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(text)
    return document


def build_credentials_router() -> APIRouter:
    """The VC-API routes (at the root, as the VC-API names them) and the licence credential routes."""
    router = APIRouter(tags=["可验证凭证 (W3C VC)"])

    @router.post(
        "/credentials/issue",
        summary="VC-API 签发凭证：以本部门 did:web 的名义签名（发证部门的审批人员或部门管理员）",
        **model_answers(IssuedCredential, status=201, errors=WRITE),
    )
    async def issue(body: IssueCredentialIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        text = json.dumps(body.credential, ensure_ascii=False)
        reply = await stub.IssueCredential(pb.IssueCredentialRequest(credential_json=text))
        return {"verifiableCredential": _json(reply.verifiable_credential_json)}

    @router.post(
        "/credentials/verify",
        summary="VC-API 核验凭证：证明、有效期、状态列表，证照凭证另含证照各项核验（无需登录）",
        **answers(pb.VerifyCredentialResponse, errors=(400, 401, 403, 413, 422)),
    )
    async def verify(body: VerifyCredentialIn, principal: OptionalPrincipal, stub: Stub) -> dict[str, Any]:
        text = json.dumps(body.verifiableCredential, ensure_ascii=False)
        return to_json(
            await stub.VerifyCredential(pb.VerifyCredentialRequest(verifiable_credential_json=text))
        )

    @router.post(
        "/presentations/verify",
        summary="VC-API 核验出示：持有人的签名（挑战值、域名）及其中每份凭证（无需登录）",
        **answers(pb.VerifyPresentationResponse, errors=(400, 401, 403, 413, 422)),
    )
    async def verify_presentation(
        body: VerifyPresentationIn, principal: OptionalPrincipal, stub: Stub
    ) -> dict[str, Any]:
        request = pb.VerifyPresentationRequest(
            verifiable_presentation_json=json.dumps(body.verifiablePresentation, ensure_ascii=False),
            challenge=body.options.challenge,
            domain=body.options.domain,
        )
        return to_json(await stub.VerifyPresentation(request))

    @router.get(
        "/api/v1/licence/licences/{identifier}/credential",
        summary="我的电子证照的可验证凭证（W3C VC 2.0，持证人本人）",
        **model_answers(VerifiableCredential),
    )
    async def licence_credential(identifier: str, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        reply = await stub.GetLicenceCredential(pb.GetLicenceCredentialRequest(identifier=identifier))
        return _json(reply.credential_json)

    @router.get(
        "/api/v1/licence/issuers/{issuer}/did.json",
        summary="发证部门的 DID 文档（did:web 解析，无需登录）",
        **model_answers(DidDocument, errors=PUBLIC),
    )
    async def issuer_document(
        issuer: Annotated[str, Path(pattern=CREDIT_CODE)], principal: OptionalPrincipal, stub: Stub
    ) -> dict[str, Any]:
        reply = await stub.GetIssuerDocument(pb.GetIssuerDocumentRequest(issuer=issuer))
        return _json(reply.document_json)

    @router.get(
        "/api/v1/licence/issuers/{issuer}/credentials/status-list",
        summary="发证部门的凭证状态列表（BitstringStatusListCredential，无需登录）",
        **model_answers(VerifiableCredential, errors=PUBLIC),
    )
    async def status_list(
        issuer: Annotated[str, Path(pattern=CREDIT_CODE)], principal: OptionalPrincipal, stub: Stub
    ) -> dict[str, Any]:
        reply = await stub.GetStatusListCredential(pb.GetStatusListCredentialRequest(issuer=issuer))
        return _json(reply.credential_json)

    return router
