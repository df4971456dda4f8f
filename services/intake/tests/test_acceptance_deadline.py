"""The deemed-acceptance deadline intake counts is the one its Case message carries (the portal shows it)."""

from __future__ import annotations

from datetime import UTC, datetime

from ywtb.api.intake.v1 import intake_pb2 as pb
from ywtb.intake.service import IntakeService
from ywtb.intake.testing import CITIZEN, CLERK

from .test_grpc_materials import Stubs, _case, stub_for  # noqa: F401  (stub_for: the fixture)

# Received Tue 29 Sep 2026 10:00 Beijing: 30 Sep, 8, 9, Sat 10 (调休上班), 12 Oct → end of 12 Oct Beijing.
END_OF_12_OCT = datetime(2026, 10, 12, 15, 59, 59, 999999, tzinfo=UTC)


def test_a_submitted_case_carries_its_acceptance_deadline_until_it_is_handled(
    service: IntakeService,
    stub_for: Stubs,  # noqa: F811
) -> None:
    case_no, _ = _case(service)
    submitted = stub_for(CITIZEN).GetCase(pb.GetCaseRequest(case_no=case_no)).case
    assert submitted.acceptance_deadline.ToDatetime(tzinfo=UTC) == END_OF_12_OCT
    assert service.acceptance_deadline(service.get_case(CITIZEN, case_no)) == END_OF_12_OCT
    accepted = stub_for(CLERK).AcceptCase(pb.AcceptCaseRequest(case_no=case_no)).case
    assert accepted.status == pb.CASE_STATUS_ACCEPTED and not accepted.HasField("acceptance_deadline")
