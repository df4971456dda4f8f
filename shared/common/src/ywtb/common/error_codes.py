"""The published list of error codes: every `code` an answer of the platform can carry (docs/error-codes.md).

A code is raised with one of the error classes of ywtb.common.errors, which fixes its HTTP and gRPC
status. A test reads the source of every component and fails on a code missing here, on one listed
here that nothing raises, and on a code raised with another class than the one listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ywtb.common.errors import (
    AlreadyExists,
    ConfigError,
    Conflict,
    DeadlineExceeded,
    FailedPrecondition,
    Internal,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
    YwtbError,
)


@dataclass(frozen=True)
class ErrorCode:
    """One code: the HTTP statuses it is answered with, and what it means."""

    code: str
    http_statuses: tuple[int, ...]
    meaning: str


def _code(code: str, errors: type[YwtbError] | tuple[type[YwtbError], ...], meaning: str) -> ErrorCode:
    classes = errors if isinstance(errors, tuple) else (errors,)
    return ErrorCode(code, tuple(sorted({c.http_status for c in classes})), meaning)


# The codes of the error classes themselves (raised without a more specific code).
GENERIC = [
    _code(
        InvalidArgument.default_code, InvalidArgument, "The input is invalid; `fields` says which and why."
    ),
    _code(Unauthenticated.default_code, Unauthenticated, "No valid bearer token: log in (again)."),
    _code(PermissionDenied.default_code, PermissionDenied, "The caller's roles or tenant do not allow this."),
    _code(NotFound.default_code, NotFound, "Nothing is found at this address."),
    _code(AlreadyExists.default_code, AlreadyExists, "The thing exists already."),
    _code(Conflict.default_code, Conflict, "Changed by someone else meanwhile; reload and retry."),
    _code(FailedPrecondition.default_code, FailedPrecondition, "The current state does not allow this."),
    _code(
        PreconditionFailed.default_code,
        PreconditionFailed,
        "What the request expected of the current state is no longer true; reload and decide again.",
    ),
    _code(ResourceExhausted.default_code, ResourceExhausted, "Too many requests; retry later."),
    _code(
        DeadlineExceeded.default_code, DeadlineExceeded, "A service did not answer in time; do not resubmit."
    ),
    _code(Unavailable.default_code, Unavailable, "A service is unavailable; retry later."),
    _code(Internal.default_code, Internal, "An unexpected failure; the request id finds it in the logs."),
    _code(ConfigError.default_code, ConfigError, "A component's start-up configuration is wrong."),
]
# Answers of the gateway's HTTP layer itself (no service involved).
HTTP = [
    ErrorCode("BAD_REQUEST", (400,), "The request is malformed."),
    ErrorCode("METHOD_NOT_ALLOWED", (405,), "The path does not support this HTTP method."),
    ErrorCode("PAYLOAD_TOO_LARGE", (413,), "The body is over the gateway's size limit."),
    ErrorCode("UNSUPPORTED_MEDIA_TYPE", (415,), "The body is not in a supported content type."),
    ErrorCode("HTTP_ERROR", (400,), "Another HTTP-level refusal."),
]
SPECIFIC = [
    # identity 统一身份认证
    _code("ACCOUNT_NOT_FOUND", NotFound, "No account has this user name, or it is not opened yet."),
    _code("ACCOUNT_REJECTED", FailedPrecondition, "The identity provider refused to create the account."),
    _code("BAD_CREDENTIALS", Unauthenticated, "Wrong user name or password."),
    _code("DEPARTMENT_EXISTS", AlreadyExists, "A department with this credit code exists."),
    _code("DEPARTMENT_NOT_FOUND", NotFound, "No department has this credit code."),
    _code("LEGAL_PERSON_EXISTS", AlreadyExists, "The legal person is registered already."),
    _code("LEGAL_PERSON_NOT_FOUND", NotFound, "No legal person has this credit code."),
    _code("PARENT_TENANT_MISSING", FailedPrecondition, "The parent region must be onboarded first."),
    _code("PERSON_EXISTS", AlreadyExists, "This ID number has an account already."),
    _code("PERSON_NOT_FOUND", NotFound, "No natural person account has this id."),
    _code("STAFF_NOT_FOUND", NotFound, "No staff member has this id."),
    _code("TENANT_EXISTS", AlreadyExists, "The region is onboarded already."),
    _code("TENANT_NOT_FOUND", NotFound, "The region is not onboarded."),
    _code("USERNAME_TAKEN", AlreadyExists, "The user name is in use."),
    _code("USE_IDENTITY_PROVIDER", FailedPrecondition, "Log in through the identity provider (Keycloak)."),
    _code("VERIFICATION_METHOD_UNAVAILABLE", FailedPrecondition, "This real-name method is not offered."),
    _code("INVALID_ID_NUMBER", InvalidArgument, "The citizen ID number is malformed (GB 11643)."),
    _code("INVALID_CREDIT_CODE", InvalidArgument, "The unified social credit code is malformed (GB 32100)."),
    _code("INVALID_REGION_CODE", InvalidArgument, "The region code is not six digits."),
    _code("UNKNOWN_REGION_CODE", InvalidArgument, "The region code is not in the national table."),
    # catalog 事项目录
    _code("BASIC_ITEM_NOT_CLAIMABLE", FailedPrecondition, "The basic item is suspended or cancelled."),
    _code("BASIC_ITEM_NOT_FOUND", NotFound, "No basic catalogue item has this code."),
    _code("BASIC_ITEM_RETIRED", FailedPrecondition, "The basic item was cancelled, split or merged."),
    _code("BUNDLE_EXISTS", AlreadyExists, "A 一件事 bundle with this code exists."),
    _code("BUNDLE_NOT_FOUND", NotFound, "No 一件事 bundle has this code, or none of its items is published."),
    _code("CATALOGUE_VERSION_NOT_FOUND", NotFound, "The catalogue file has no such version."),
    _code("CATALOGUE_VERSION_OUTDATED", FailedPrecondition, "A newer basic catalogue is imported already."),
    _code("GUIDE_NOT_PUBLISHED", NotFound, "The item has no published guide."),
    _code("GUIDE_RULES_VIOLATED", InvalidArgument, "The guide breaks the catalogue's rules (see fields)."),
    _code("GUIDE_VERSION_NOT_FOUND", NotFound, "The item has no guide of this version."),
    _code("INVALID_BASIC_CATALOGUE", InvalidArgument, "The basic catalogue release is malformed."),
    _code("INVALID_CATALOGUE_FILE", InvalidArgument, "The catalogue file is malformed."),
    _code("INVALID_GUIDE", InvalidArgument, "The guide's elements are malformed (see fields)."),
    _code("ITEM_ALREADY_CLAIMED", AlreadyExists, "The department has claimed this item already."),
    _code("ITEM_LOCKED", FailedPrecondition, "The item is submitted or approved and cannot be edited."),
    _code("ITEM_NOT_APPROVED", FailedPrecondition, "Only an approved item can be published."),
    _code("ITEM_NOT_DRAFT", FailedPrecondition, "Only a draft or returned item can be submitted."),
    _code("ITEM_NOT_FOUND", NotFound, "No item has this id."),
    _code(
        "ITEM_NOT_PUBLISHED",
        (NotFound, FailedPrecondition),
        "The item has no published version (404 when applying, 409 when withdrawing).",
    ),
    _code("ITEM_NOT_SUBMITTED", FailedPrecondition, "Only a submitted item can be returned or approved."),
    _code("REVISION_CONFLICT", Conflict, "The item changed since it was read; reload and edit again."),
    # intake 统一受理
    _code("ACCOUNT_NOT_ACTIVE", PermissionDenied, "The applicant's account is not active (yet or any more)."),
    _code("AGENT_AUTHORISATION_EXPIRED", PermissionDenied, "The caller's agent authorisation has expired."),
    _code(
        "AGENT_NOT_AUTHORISED", PermissionDenied, "The caller holds no agent authorisation for the company."
    ),
    _code("APPLICANT_NOT_AUTHORISED", PermissionDenied, "The company named does not match its credit code."),
    _code("APPLICANT_NOT_SELF", PermissionDenied, "An online application names someone else."),
    _code("BUNDLE_ITEM_UNAVAILABLE", FailedPrecondition, "An item of the bundle is suspended."),
    _code("CASE_CLOSED", FailedPrecondition, "The case is accepted or rejected already."),
    _code("CASE_NOT_FOUND", NotFound, "No case has this number (or the caller may not see it)."),
    _code("CASE_STATE", FailedPrecondition, "The case's status does not allow this action."),
    _code("CORRECTION_INCOMPLETE", FailedPrecondition, "The resubmission leaves deficiencies unanswered."),
    _code("EMPTY_FILE", InvalidArgument, "The uploaded file is empty."),
    _code("FILE_TOO_LARGE", InvalidArgument, "The uploaded file is over the size limit."),
    _code("FILE_TYPE_NOT_ALLOWED", InvalidArgument, "Only PDF, JPG, PNG and OFD files are accepted."),
    _code("FORM_INVALID", InvalidArgument, "The application form does not fit the item's form schema."),
    _code("IDEMPOTENCY_KEY_REQUIRED", InvalidArgument, "An online submission needs an Idempotency-Key."),
    _code("IDEMPOTENCY_KEY_REUSED", Conflict, "The Idempotency-Key was used for another application."),
    _code("MATERIALS_INVALID", InvalidArgument, "A material refers to an unknown name or file (see fields)."),
    _code(
        "MATERIALS_MISSING",
        FailedPrecondition,
        "Required materials are missing: accept tolerantly or notify.",
    ),
    _code("MATERIAL_NOT_FOUND", NotFound, "No uploaded file has this id (or it is not the caller's)."),
    _code("NOTHING_MISSING", FailedPrecondition, "Nothing is missing: accept normally."),
    _code("NOT_TOLERABLE", FailedPrecondition, "A missing material is not one the item tolerates (容缺)."),
    _code("REAL_NAME_LEVEL_TOO_LOW", PermissionDenied, "The item needs a higher real-name level."),
    _code("SERVICE_OBJECT_MISMATCH", FailedPrecondition, "The item is not for this kind of applicant."),
    # approval 审批
    _code("ALREADY_EXTENDED", FailedPrecondition, "The deadline was extended once already."),
    _code("CASE_COMPLETED", FailedPrecondition, "The case is completed."),
    _code("CASE_NOT_SUSPENDED", FailedPrecondition, "The case is not in a special procedure."),
    _code("CASE_SUSPENDED", FailedPrecondition, "The case is in a special procedure (clock stopped)."),
    _code("CASE_VERSION_CONFLICT", Conflict, "Someone else handled the case at the same time; reload."),
    _code(
        "DEFINITION_MISSING",
        FailedPrecondition,
        "The process definition version a running case names is neither deployed nor archived.",
    ),
    _code("PROCESS_NOT_FOUND", (NotFound, InvalidArgument), "The case's approval process does not exist."),
    _code("STATE_CORRUPT", InvalidArgument, "A workflow's stored state cannot be read."),
    _code("STATE_FORMAT", InvalidArgument, "A workflow's stored state has an unsupported format."),
    _code("TASK_ALREADY_COMPLETED", FailedPrecondition, "The step is completed already."),
    _code("TASK_CLAIMED_BY_OTHER", FailedPrecondition, "Another staff member holds the task."),
    _code("TASK_NOT_FOUND", (NotFound, FailedPrecondition), "No open task has this id."),
    _code("TASK_NOT_OPEN", FailedPrecondition, "The task is completed or cancelled."),
    _code("TASK_NOT_READY", FailedPrecondition, "The step has not been reached yet."),
    # licence 电子证照
    _code(
        "CREDENTIAL_ISSUER_NOT_OWN",
        PermissionDenied,
        "A credential can be issued only in the name of the caller's own department (its did:web).",
    ),
    _code(
        "CREDENTIAL_MALFORMED",
        InvalidArgument,
        "Not a VC Data Model 2.0 credential or presentation this service can read (see the message).",
    ),
    _code("ISSUANCE_NOT_FOUND", NotFound, "No issuance of a licence is open for this case and item."),
    _code("ISSUANCE_NOT_OPEN", FailedPrecondition, "The issuance is issued already or still automatic."),
    _code("LICENCE_ALREADY_REVOKED", FailedPrecondition, "The licence is revoked already."),
    _code(
        "LICENCE_CONSENT_REQUIRED", InvalidArgument, "Attaching an e-licence needs the applicant's consent."
    ),
    _code(
        "LICENCE_FIELDS_INVALID",
        InvalidArgument,
        "A licence's field values miss a required one or name no field.",
    ),
    _code("LICENCE_FILE_TOO_LARGE", InvalidArgument, "The uploaded licence file is larger than allowed."),
    _code(
        "LICENCE_HOLDER_INVALID",
        InvalidArgument,
        "The holder's name or certificate number cannot be on a licence.",
    ),
    _code("LICENCE_ID_MALFORMED", InvalidArgument, "The licence identifier is not a valid GB/T 36904 one."),
    _code("LICENCE_ISSUER_NOT_FOUND", NotFound, "No licence was ever issued by this department."),
    _code(
        "LICENCE_NOT_HELD",
        PermissionDenied,
        "The licence is not the applicant's: it cannot stand for a material.",
    ),
    _code("LICENCE_NOT_CURRENT", FailedPrecondition, "Only the valid, latest version of a licence changes."),
    _code("LICENCE_NOT_FOUND", NotFound, "No licence has this identifier."),
    _code(
        "LICENCE_REVOKE_INVALID",
        InvalidArgument,
        "A revocation needs a known kind and a reason of 2-200 characters.",
    ),
    _code(
        "LICENCE_REISSUE_INVALID", InvalidArgument, "A new version is a change (with fields) or a renewal."
    ),
    _code(
        "LICENCE_SHARE_EXPIRED", FailedPrecondition, "The share link's time is up; the holder shares again."
    ),
    _code("LICENCE_SHARE_INVALID", InvalidArgument, "A share link lasts 1 to 1,440 minutes."),
    _code("LICENCE_SHARE_NOT_FOUND", NotFound, "No share link has this token."),
    _code("LICENCE_WRONG_TYPE", FailedPrecondition, "The licence is not of the type the material asks for."),
    _code("LICENCE_TYPE_CODE_MALFORMED", InvalidArgument, "A licence type code is a credit code + 3 digits."),
    _code("LICENCE_TYPE_EXISTS", AlreadyExists, "The department has a licence type of this name already."),
    _code("LICENCE_TYPE_INVALID", InvalidArgument, "The licence type's elements are malformed (see fields)."),
    _code("LICENCE_TYPE_NOT_FOUND", NotFound, "No licence type has this code."),
    _code("LICENCE_TYPES_EXHAUSTED", FailedPrecondition, "The department has used all 999 type codes."),
    # evaluation 好差评
    _code("EVALUATION_ALREADY_RATED", AlreadyExists, "The stage is rated already (and followed up once)."),
    _code(
        "EVALUATION_APPEAL_PENDING", FailedPrecondition, "The rating has an appeal waiting for its decision."
    ),
    _code(
        "EVALUATION_NOT_FOUND",
        NotFound,
        "No such rating, rectification or appeal (or the caller may not see it).",
    ),
    _code("EVALUATION_NOT_RATEABLE", NotFound, "Not the caller's case, or it has not reached the stage yet."),
    _code("EVALUATION_NOT_RATED", FailedPrecondition, "A follow-up needs the stage's first rating."),
    _code(
        "EVALUATION_STATE", FailedPrecondition, "The rectification's or appeal's status does not allow this."
    ),
    _code("EVALUATION_CODE_DAILY_LIMIT", ResourceExhausted, "The number asked for its ten codes today."),
    _code(
        "EVALUATION_CODE_TOO_SOON", ResourceExhausted, "A code was sent to the number less than a minute ago."
    ),
    _code(
        "EVALUATION_MOBILE_CODE",
        InvalidArgument,
        "The mobile's code is wrong, used, stale or tried too often.",
    ),
    _code("EVALUATION_VISIT_EXPIRED", FailedPrecondition, "The window visit's rating code has lapsed."),
    _code("EVALUATION_VISIT_NOT_FOUND", NotFound, "No window visit has this token."),
    # payment 统一支付
    _code(
        "PAYMENT_CALLBACK_REJECTED", PermissionDenied, "A platform callback's signature or content is wrong."
    ),
    _code("PAYMENT_DAY_INVALID", InvalidArgument, "A reconciliation day is a past date, YYYY-MM-DD."),
    _code("PAYMENT_MISMATCH_NOT_FOUND", NotFound, "No mismatch has this id (or the caller may not see it)."),
    _code("PAYMENT_MISMATCH_RESOLVED", FailedPrecondition, "The mismatch is resolved already."),
    _code(
        "PAYMENT_NOT_PAID_ON_PLATFORM",
        FailedPrecondition,
        "The platform does not show the expired order paid in full: its late payment cannot be accepted.",
    ),
    _code("PAYMENT_ORDER_NOT_FOUND", NotFound, "No payment order (or the caller may not see it)."),
    _code(
        "PAYMENT_REFUNDABLE_CHANGED",
        PreconditionFailed,
        "The refundable amount is not the one the caller expected (another refund came first): reload.",
    ),
    _code("PAYMENT_REFUND_EXCEEDS_PAID", InvalidArgument, "A refund cannot exceed what is left refundable."),
    _code("PAYMENT_REFUND_NOT_FOUND", NotFound, "No refund has this number."),
    _code(
        "PAYMENT_REASON_INVALID", InvalidArgument, "A payment decision needs a reason of 2-200 characters."
    ),
    _code("PAYMENT_STATE", FailedPrecondition, "The order's or refund's status does not allow this change."),
]
ERROR_CODES: dict[str, ErrorCode] = {
    c.code: c for c in sorted(GENERIC + HTTP + SPECIFIC, key=lambda c: c.code)
}
