"""Thin gRPC servicer: proto <-> domain, nothing else."""

from __future__ import annotations

import json
from typing import Any

from ywtb.api.licence.v1 import licence_pb2 as pb
from ywtb.api.licence.v1 import licence_pb2_grpc
from ywtb.common.auth.principal import Principal
from ywtb.common.clock import utc
from ywtb.common.context import current_principal
from ywtb.common.errors import Unauthenticated
from ywtb.common.grpc import allow, public
from ywtb.common.tenancy import APPLICANT_ROLES, DEPT_ADMIN, SERVICE
from ywtb.common.timestamps import timestamp
from ywtb.licence import gbt36903
from ywtb.licence.attachments import Attachments
from ywtb.licence.authz import ISSUER_ROLES
from ywtb.licence.credential_shape import parse_document
from ywtb.licence.credential_verification import CredentialResult, CredentialVerifier, Problem
from ywtb.licence.credentials import Credentials
from ywtb.licence.issued_register import IssuedRegister
from ywtb.licence.issuing_desk import DESK_ROLES, DeskEntry, IssuingDesk
from ywtb.licence.licence_types import LicenceTypeDraft, LicenceTypes
from ywtb.licence.models import (
    AUTOMATIC,
    AWAITING_CLERK,
    AWAITING_PAYMENT,
    MANUAL,
    PENDING,
    REVOKED,
    SUPERSEDED,
    VALID,
    Licence,
    LicenceType,
)
from ywtb.licence.revocation import Revocations
from ywtb.licence.sharing import Shares
from ywtb.licence.verification import Verification, Verifier
from ywtb.licence.versions import CHANGE, RENEW, Versions
from ywtb.licence.wallet import WalletReads

ISSUE_MODES = {pb.ISSUE_MODE_AUTOMATIC: AUTOMATIC, pb.ISSUE_MODE_MANUAL: MANUAL}
ISSUE_MODE_PB = {mode: value for value, mode in ISSUE_MODES.items()}


def _caller() -> Principal:
    principal = current_principal.get()
    if principal is None:
        raise Unauthenticated()
    return principal


def _licence_type(licence_type: LicenceType) -> pb.LicenceType:
    message = pb.LicenceType(
        code=licence_type.code,
        tenant=licence_type.tenant,
        dept=licence_type.dept,
        name=licence_type.name,
        fields=[pb.LicenceField(**f) for f in licence_type.fields],
        validity_months=licence_type.validity_months,
        template_title=licence_type.template_title,
        issue_mode=ISSUE_MODE_PB[licence_type.issue_mode],
        created_by=licence_type.created_by,
    )
    message.created_at.FromDatetime(utc(licence_type.created_at))
    return message


REVOKE_KIND_NAMES = {
    pb.REVOKE_KIND_ERROR: "error",
    pb.REVOKE_KIND_PROMISE_FALSE: "promise_false",
    pb.REVOKE_KIND_HOLDER_REQUEST: "holder_request",
    pb.REVOKE_KIND_OTHER: "other",
}
REISSUE_KIND_NAMES = {pb.REISSUE_KIND_CHANGE: CHANGE, pb.REISSUE_KIND_RENEW: RENEW}
STATUS_PB = {
    VALID: pb.LICENCE_STATUS_VALID,
    REVOKED: pb.LICENCE_STATUS_REVOKED,
    SUPERSEDED: pb.LICENCE_STATUS_SUPERSEDED,
}
STATUS_NAMES = {value: status for status, value in STATUS_PB.items()}


def _printed(licence: Licence) -> dict[str, Any]:
    """What the licence itself shows (its holder's name left to the caller: masked for verifiers)."""
    return {
        "identifier": licence.identifier,
        "type_code": licence.type_code,
        "type_name": licence.type_name,
        "licence_no": licence.licence_no,
        "holder_code_masked": licence.holder_code_masked,
        "issuer": licence.issuer,
        "issuer_name": licence.issuer_name,
        "issue_date": licence.issued_on.isoformat(),
        "valid_from": licence.valid_from.isoformat(),
        "valid_until": gbt36903.valid_until_text(licence.valid_until),
        "version": licence.version,
    }


def _verification(verification: Verification) -> pb.VerifyLicenceResponse:
    return pb.VerifyLicenceResponse(
        valid=verification.valid,
        checks=[
            pb.VerificationCheck(name=c.name, passed=c.passed, detail=c.detail) for c in verification.checks
        ],
        licence=pb.VerifiedLicence(
            **_printed(verification.licence),
            holder_name=verification.holder_name,
            seal_public_key=verification.seal_public_key,
        ),
    )


def _licence(licence: Licence) -> pb.Licence:
    return pb.Licence(
        **_printed(licence),
        holder_name=licence.holder_name,
        status=STATUS_PB[licence.status],
        case_no=licence.case_no,
        fields=dict(licence.fields),
        qr_payload=licence.qr_payload,
    )


ISSUANCE_STATUS_PB = {
    PENDING: pb.ISSUANCE_STATUS_PENDING,
    AWAITING_CLERK: pb.ISSUANCE_STATUS_AWAITING_CLERK,
    AWAITING_PAYMENT: pb.ISSUANCE_STATUS_AWAITING_PAYMENT,
}


def _issuance(entry: DeskEntry) -> pb.Issuance:
    issuance = entry.issuance
    return pb.Issuance(
        case_no=issuance.case_no,
        item_id=issuance.item_id,
        tenant=issuance.tenant,
        dept=issuance.dept,
        approved_at=timestamp(utc(issuance.approved_at)),
        due_on=issuance.due_on.isoformat(),
        status=ISSUANCE_STATUS_PB[issuance.status],
        licence_type=_licence_type(entry.licence_type) if entry.licence_type else None,
        note=issuance.last_error,
    )


def _problems(problems: list[Problem]) -> list[pb.CredentialProblem]:
    return [pb.CredentialProblem(type=p.type, title=p.title, detail=p.detail) for p in problems]


def _credential_result(result: CredentialResult) -> pb.VerifyCredentialResponse:
    return pb.VerifyCredentialResponse(
        verified=result.verified,
        checks=[pb.VerificationCheck(name=c.name, passed=c.passed, detail=c.detail) for c in result.checks],
        warnings=_problems(result.warnings),
        errors=_problems(result.errors),
    )


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


class LicenceServicer(licence_pb2_grpc.LicenceServiceServicer):
    """LicenceService over gRPC."""

    def __init__(
        self,
        licence_types: LicenceTypes,
        verifier: Verifier,
        wallet: WalletReads,
        revocations: Revocations,
        desk: IssuingDesk,
        versions: Versions,
        shares: Shares,
        attachments: Attachments,
        credentials: Credentials,
        credential_verifier: CredentialVerifier,
        register: IssuedRegister,
    ) -> None:
        self.licence_types = licence_types
        self.verifier = verifier
        self.wallet = wallet
        self.revocations = revocations
        self.desk = desk
        self.versions = versions
        self.shares = shares
        self.attachments = attachments
        self.credentials = credentials
        self.credential_verifier = credential_verifier
        self.register = register

    # The door of each RPC (@public or @allow(*roles); the kit refuses to serve an undeclared one): the roles
    # its use case can admit at all. The use case (authz) still decides tenant and department.
    @allow(DEPT_ADMIN)
    def DefineLicenceType(self, request, context):  # noqa: N802
        draft = LicenceTypeDraft(
            name=request.name,
            fields=tuple((f.key, f.label, f.required) for f in request.fields),
            validity_months=request.validity_months,
            template_title=request.template_title,
            issue_mode=ISSUE_MODES.get(request.issue_mode, ""),
        )
        defined = self.licence_types.define(_caller(), draft)
        return pb.DefineLicenceTypeResponse(licence_type=_licence_type(defined))

    @public  # the licence type catalogue is published
    def GetLicenceType(self, request, context):  # noqa: N802
        return pb.GetLicenceTypeResponse(licence_type=_licence_type(self.licence_types.get(request.code)))

    @public
    def ListLicenceTypes(self, request, context):  # noqa: N802
        found = self.licence_types.list(request.tenant, request.dept)
        return pb.ListLicenceTypesResponse(licence_types=[_licence_type(t) for t in found])

    @public  # anyone holding a licence, its file or its QR code may check it
    def VerifyLicence(self, request, context):  # noqa: N802
        subject = request.WhichOneof("subject")
        if subject == "file":
            return _verification(self.verifier.by_file(request.file))
        if subject == "qr_payload":
            return _verification(self.verifier.by_qr(request.qr_payload))
        return _verification(self.verifier.by_identifier(request.identifier))

    @allow(*APPLICANT_ROLES)
    def ListMyLicences(self, request, context):  # noqa: N802
        found = self.wallet.mine(_caller(), request.page_size, request.offset)
        return pb.ListMyLicencesResponse(licences=[_licence(licence) for licence in found])

    @allow(*APPLICANT_ROLES)
    def GetMyLicenceFile(self, request, context):  # noqa: N802
        licence = self.wallet.file(_caller(), request.identifier)
        return pb.GetMyLicenceFileResponse(licence=_licence(licence), file=licence.file)

    @allow(*ISSUER_ROLES)
    def RevokeLicence(self, request, context):  # noqa: N802
        kind = REVOKE_KIND_NAMES.get(request.kind, "")
        revoked = self.revocations.revoke(_caller(), request.identifier, kind, request.reason)
        return pb.RevokeLicenceResponse(licence=_licence(revoked))

    @public  # verifiers fetch it without an account
    def GetStatusList(self, request, context):  # noqa: N802
        found = self.revocations.status_list(request.issuer)
        return pb.GetStatusListResponse(
            issuer=found.issuer,
            generated_at=timestamp(found.generated_at),
            revoked=[pb.RevokedLicence(identifier=i, revoked_at=timestamp(at)) for i, at in found.revoked],
            signature=found.signature,
            seal_public_key=found.seal_public_key,
        )

    @allow(*DESK_ROLES)
    def ListIssuances(self, request, context):  # noqa: N802
        return pb.ListIssuancesResponse(issuances=[_issuance(e) for e in self.desk.open_issuances(_caller())])

    @allow(*DESK_ROLES)
    def IssueLicence(self, request, context):  # noqa: N802
        licence = self.desk.issue(_caller(), request.case_no, request.item_id, dict(request.values))
        return pb.IssueLicenceResponse(licence=_licence(licence))

    @allow(*ISSUER_ROLES)
    def ReissueLicence(self, request, context):  # noqa: N802
        kind = REISSUE_KIND_NAMES.get(request.kind, "")
        licence = self.versions.reissue(_caller(), request.identifier, kind, dict(request.values))
        return pb.ReissueLicenceResponse(licence=_licence(licence))

    @allow(*APPLICANT_ROLES)
    def CreateShare(self, request, context):  # noqa: N802
        share = self.shares.create(_caller(), request.identifier, request.minutes)
        return pb.CreateShareResponse(
            token=share.token, identifier=share.identifier, expires_at=timestamp(utc(share.expires_at))
        )

    @public  # whoever holds the link; the holder sees every view
    def ViewShare(self, request, context):  # noqa: N802
        viewer = current_principal.get()
        person = viewer.subject if viewer is not None and viewer.subject_type != "service" else ""
        share, verification = self.shares.view(request.token, person or "anonymous")
        return pb.ViewShareResponse(
            verification=_verification(verification), expires_at=timestamp(utc(share.expires_at))
        )

    @allow(*APPLICANT_ROLES)
    def ListShareViews(self, request, context):  # noqa: N802
        views = self.shares.views(_caller(), request.identifier)
        return pb.ListShareViewsResponse(
            views=[
                pb.ShareViewRecord(viewed_at=timestamp(utc(v.viewed_at)), viewer=v.viewer, outcome=v.outcome)
                for v in views
            ]
        )

    @allow(SERVICE)
    def GetHeldLicence(self, request, context):  # noqa: N802
        licence = self.attachments.held(_caller(), request.identifier, request.holder_code, request.type_name)
        return pb.GetHeldLicenceResponse(licence=_licence(licence), file=licence.file)

    @allow(*APPLICANT_ROLES)
    def GetLicenceCredential(self, request, context):  # noqa: N802
        credential = self.credentials.of_licence(_caller(), request.identifier)
        return pb.GetLicenceCredentialResponse(credential_json=_json(credential))

    @allow(*ISSUER_ROLES)
    def IssueCredential(self, request, context):  # noqa: N802
        credential = parse_document(request.credential_json, "凭证")
        issued = self.credentials.issue(_caller(), credential)
        return pb.IssueCredentialResponse(verifiable_credential_json=_json(issued))

    @public  # any verifier, in China or not
    def VerifyCredential(self, request, context):  # noqa: N802
        credential = parse_document(request.verifiable_credential_json, "凭证")
        return _credential_result(self.credential_verifier.credential(credential))

    @public
    def VerifyPresentation(self, request, context):  # noqa: N802
        presentation = parse_document(request.verifiable_presentation_json, "出示")
        result = self.credential_verifier.presentation(presentation, request.challenge, request.domain)
        single = _credential_result(result)
        return pb.VerifyPresentationResponse(
            verified=result.verified,
            checks=single.checks,
            warnings=single.warnings,
            errors=single.errors,
            credentials=[_credential_result(c) for c in result.credentials],
        )

    @public  # did:web resolution
    def GetIssuerDocument(self, request, context):  # noqa: N802
        return pb.GetIssuerDocumentResponse(
            document_json=_json(self.credentials.issuer_document(request.issuer))
        )

    @public  # verifiers fetch it without an account
    def GetStatusListCredential(self, request, context):  # noqa: N802
        return pb.GetStatusListCredentialResponse(
            credential_json=_json(self.credentials.status_list(request.issuer))
        )

    @allow(*ISSUER_ROLES)
    def ListIssuedLicences(self, request, context):  # noqa: N802
        status = STATUS_NAMES.get(request.status, "")
        found = self.register.search(_caller(), request.query, status, request.page_size, request.offset)
        return pb.ListIssuedLicencesResponse(licences=[_licence(licence) for licence in found])
