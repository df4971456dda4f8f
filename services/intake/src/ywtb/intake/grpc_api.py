"""Thin gRPC servicer: proto <-> domain, nothing else."""

from __future__ import annotations

from ywtb.api.intake.v1 import intake_pb2 as pb
from ywtb.api.intake.v1 import intake_pb2_grpc
from ywtb.common.auth.principal import Principal
from ywtb.common.context import current_principal
from ywtb.common.errors import Unauthenticated
from ywtb.common.grpc import allow
from ywtb.common.tenancy import APPLICANT_ROLES, SERVICE, WINDOW_CLERK
from ywtb.intake import authz, convert
from ywtb.intake.models import Case
from ywtb.intake.service import ApplicantIn, IntakeService, Submission

CHUNK_BYTES = 256 * 1024  # well below gRPC's default 4 MiB message limit


def _caller() -> Principal:
    principal = current_principal.get()
    if principal is None:
        raise Unauthenticated()
    return principal


class IntakeServicer(intake_pb2_grpc.IntakeServiceServicer):
    """IntakeService over gRPC."""

    def __init__(self, service: IntakeService) -> None:
        self.service = service

    def _case(self, row: Case) -> pb.Case:
        """A case with its deemed-acceptance deadline (intake's calendar and limit)."""
        return convert.case(row, self.service.acceptance_deadline(row))

    @allow(*APPLICANT_ROLES, WINDOW_CLERK)
    def UploadMaterial(self, request, context):  # noqa: N802
        row = self.service.upload_material(_caller(), request.file_name, request.content)
        return pb.UploadMaterialResponse(file=convert.uploaded_file(row))

    @allow(*APPLICANT_ROLES, WINDOW_CLERK)
    def SubmitCase(self, request, context):  # noqa: N802
        a = request.applicant
        submission = Submission(
            item_id=request.item_id,
            item_version=request.item_version,
            channel=request.channel,
            applicant=ApplicantIn(
                applicant_type=a.applicant_type,
                name=a.name,
                id_type=a.id_type,
                id_number=a.id_number,
                credit_code=a.credit_code,
                contact_name=a.contact_name,
                contact_mobile=a.contact_mobile,
            ),
            form_data=convert.struct_to_dict(request.form_data),
            materials=convert.materials_in(request.materials),
            idempotency_key=request.idempotency_key,
            bundle_code=request.bundle_code,
        )
        case, replayed = self.service.submit(_caller(), submission)
        return pb.SubmitCaseResponse(case=self._case(case), replayed=replayed)

    @allow(*authz.CASE_READER_ROLES)
    def GetCase(self, request, context):  # noqa: N802
        return pb.GetCaseResponse(case=self._case(self.service.get_case(_caller(), request.case_no)))

    @allow(*APPLICANT_ROLES, WINDOW_CLERK)
    def ListMyCases(self, request, context):  # noqa: N802
        cases = self.service.list_my_cases(_caller(), request.status, request.page_size, request.offset)
        return pb.ListMyCasesResponse(cases=[self._case(c) for c in cases])

    @allow(*authz.QUEUE_READER_ROLES)
    def ListCases(self, request, context):  # noqa: N802
        cases = self.service.list_cases(
            _caller(), request.tenant, request.dept, request.status, request.page_size, request.offset
        )
        return pb.ListCasesResponse(cases=[self._case(c) for c in cases])

    @allow(WINDOW_CLERK)
    def RequestCorrection(self, request, context):  # noqa: N802
        deficiencies = [(d.subject, d.requirement) for d in request.deficiencies]
        case = self.service.request_correction(_caller(), request.case_no, deficiencies)
        return pb.RequestCorrectionResponse(case=self._case(case))

    @allow(*APPLICANT_ROLES, WINDOW_CLERK)
    def SupplementCase(self, request, context):  # noqa: N802
        form = convert.struct_to_dict(request.form_data) if request.HasField("form_data") else None
        case = self.service.supplement(
            _caller(), request.case_no, convert.materials_in(request.materials), form
        )
        return pb.SupplementCaseResponse(case=self._case(case))

    @allow(WINDOW_CLERK)
    def AcceptCase(self, request, context):  # noqa: N802
        case = self.service.accept(
            _caller(),
            request.case_no,
            request.mode,
            supply_workdays=request.supply_workdays,
            promise_signed=request.promise_signed,
            opinion=request.opinion,
        )
        return pb.AcceptCaseResponse(case=self._case(case))

    @allow(WINDOW_CLERK)
    def RejectCase(self, request, context):  # noqa: N802
        case = self.service.reject(_caller(), request.case_no, request.reason)
        return pb.RejectCaseResponse(case=self._case(case))

    @allow(*authz.CASE_READER_ROLES)
    def ListCaseMaterials(self, request, context):  # noqa: N802
        files = self.service.case_files(_caller(), request.case_no)
        return pb.ListCaseMaterialsResponse(
            files=[pb.CaseMaterialFile(material_name=n, file=convert.uploaded_file(f)) for n, f in files]
        )

    @allow(*authz.CASE_READER_ROLES)
    def GetMaterialContent(self, request, context):  # noqa: N802
        row, content = self.service.case_file(_caller(), request.case_no, request.file_id)
        yield pb.GetMaterialContentResponse(file=convert.uploaded_file(row))
        for start in range(0, len(content), CHUNK_BYTES):
            yield pb.GetMaterialContentResponse(chunk=content[start : start + CHUNK_BYTES])

    @allow(SERVICE)
    def GetCaseHolder(self, request, context):  # noqa: N802
        case, holder_code = self.service.case_holder(_caller(), request.case_no)
        return convert.case_holder(case, holder_code, list(request.fields))

    @allow(*APPLICANT_ROLES)
    def AttachLicence(self, request, context):  # noqa: N802
        row = self.service.attach_licence(
            _caller(), request.identifier, request.type_name, request.credit_code, request.consent
        )
        return pb.AttachLicenceResponse(file=convert.uploaded_file(row))
