"""ListCaseMaterials and GetMaterialContent over a real gRPC server: chunks, metadata, who may read."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

import pytest

from ywtb.api.intake.v1 import intake_pb2 as pb
from ywtb.api.intake.v1 import intake_pb2_grpc
from ywtb.common.auth.principal import Principal
from ywtb.common.errors import NotFound, PermissionDenied
from ywtb.common.grpc import build_server, channel, server_port
from ywtb.intake.grpc_api import CHUNK_BYTES, IntakeServicer
from ywtb.intake.service import ApplicantIn, IntakeService, Submission
from ywtb.intake.testing import (
    CITIZEN,
    CITY_SUPERVISOR,
    CLERK,
    OTHER_CITIZEN,
    OTHER_DEPT_CLERK,
    OTHER_TENANT_CLERK,
    SHOP_ITEM,
)

SIGNING_KEY = b"intake-grpc-test-signing-key-0123456789"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
LARGE = PDF + bytes(range(256)) * 3000  # about 750 KiB: three chunks
Stubs = Callable[[Principal], intake_pb2_grpc.IntakeServiceStub]


@pytest.fixture
def stub_for(service: IntakeService) -> Iterator[Stubs]:
    """`stub_for(principal)`: an IntakeService stub calling as that principal."""
    server = build_server(
        [(intake_pb2_grpc.add_IntakeServiceServicer_to_server, IntakeServicer(service))],
        port=0,
        host="127.0.0.1",
        signing_key=SIGNING_KEY,
        service_name="ywtb.intake",
    )
    server.start()
    target = f"127.0.0.1:{server_port(server)}"
    channels = []

    def make(principal: Principal) -> intake_pb2_grpc.IntakeServiceStub:
        channels.append(channel(target, signing_key=SIGNING_KEY, principal=principal))
        return intake_pb2_grpc.IntakeServiceStub(channels[-1])

    yield make
    for open_channel in channels:
        open_channel.close()
    server.stop(0)


def _case(service: IntakeService) -> tuple[str, dict[str, str]]:
    """A submitted case with every material; (case number, {material name: file id})."""
    contents = {"申请书": LARGE, "经营场所证明": PDF + b"lease", "消防安全承诺书": PDF + b"fire"}
    ids = {name: service.upload_material(CITIZEN, f"{name}.pdf", data).id for name, data in contents.items()}
    case, _ = service.submit(
        CITIZEN,
        Submission(
            item_id=SHOP_ITEM,
            item_version=0,
            channel=pb.CHANNEL_ONLINE,
            applicant=ApplicantIn(id_number="11010519491231002X"),
            form_data={"shop_name": "张三小吃店", "area": 45.5},
            materials={name: [file_id] for name, file_id in ids.items()},
            idempotency_key="grpc-materials",
        ),
    )
    return case.case_no, ids


def _download(stub: intake_pb2_grpc.IntakeServiceStub, case_no: str, file_id: str) -> list:  # type: ignore[type-arg]
    return list(stub.GetMaterialContent(pb.GetMaterialContentRequest(case_no=case_no, file_id=file_id)))


def test_the_clerk_lists_and_downloads_a_large_file_in_chunks(
    service: IntakeService, stub_for: Stubs
) -> None:
    case_no, ids = _case(service)
    listed = stub_for(CLERK).ListCaseMaterials(pb.ListCaseMaterialsRequest(case_no=case_no)).files
    assert [(f.material_name, f.file.id) for f in listed] == list(ids.items())
    assert listed[0].file.size == len(LARGE) and listed[0].file.sha256 == hashlib.sha256(LARGE).hexdigest()

    for reader in (CLERK, CITIZEN, CITY_SUPERVISOR):
        messages = _download(stub_for(reader), case_no, ids["申请书"])
        first, chunks = messages[0], messages[1:]
        assert first.WhichOneof("part") == "file" and first.file.file_name == "申请书.pdf"
        assert first.file.content_type == "application/pdf"
        assert all(m.WhichOneof("part") == "chunk" and len(m.chunk) <= CHUNK_BYTES for m in chunks)
        assert len(chunks) == 3 and b"".join(m.chunk for m in chunks) == LARGE


def test_outsiders_are_refused_and_files_of_other_cases_are_not_found(
    service: IntakeService, stub_for: Stubs
) -> None:
    case_no, ids = _case(service)
    for outsider in (OTHER_TENANT_CLERK, OTHER_DEPT_CLERK, OTHER_CITIZEN):
        with pytest.raises(PermissionDenied) as refused:
            _download(stub_for(outsider), case_no, ids["申请书"])
        assert refused.value.message == "您无权查看该办件。"
        with pytest.raises(PermissionDenied):
            stub_for(outsider).ListCaseMaterials(pb.ListCaseMaterialsRequest(case_no=case_no))
    loose = service.upload_material(CITIZEN, "未提交.pdf", PDF)  # the citizen's own file, on no case
    for file_id in (loose.id, "no-such-file"):
        with pytest.raises(NotFound) as missing:
            _download(stub_for(CLERK), case_no, file_id)
        assert missing.value.code == "MATERIAL_NOT_FOUND"
    with pytest.raises(NotFound):
        _download(stub_for(CLERK), "51010420260929999999", ids["申请书"])
