"""Intake on real PostgreSQL: case numbers under concurrency, idempotency races, the lifecycle's outbox."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from ywtb.api.intake.v1 import intake_pb2 as pb
from ywtb.common.auth.principal import Principal
from ywtb.intake.models import Case, outbox
from ywtb.intake.service import ApplicantIn, IntakeService, Submission
from ywtb.intake.testing import CITIZEN, CLERK, SHOP_ITEM

pytestmark = pytest.mark.integration

ID_NUMBER = "11010519491231002X"
PDF = b"%PDF-1.7\n%%EOF\n"
THREADS = 8


def _submission(
    service: IntakeService, principal: Principal, key: str, names=("申请书", "经营场所证明", "消防安全承诺书")
) -> Submission:  # type: ignore[no-untyped-def]
    return Submission(
        item_id=SHOP_ITEM,
        item_version=0,
        channel=pb.CHANNEL_ONLINE,
        applicant=ApplicantIn(id_number=ID_NUMBER),
        form_data={"shop_name": "小店", "area": 20},
        materials={n: [service.upload_material(principal, f"{n}.pdf", PDF + key.encode()).id] for n in names},
        idempotency_key=key,
    )


def test_case_numbers_are_unique_under_concurrent_submissions(
    postgres_url, service_factory, identity
) -> None:  # type: ignore[no-untyped-def]
    service = service_factory(postgres_url)
    citizens = [
        Principal(subject=f"p-{i}", tenant="510000", roles=frozenset({"citizen"}), name=f"申请人{i}")
        for i in range(THREADS)
    ]
    identity[1].persons.update({p.subject: (p.name, ID_NUMBER, 2) for p in citizens})  # verified accounts
    prepared = [[_submission(service, p, f"k-{j}") for j in range(5)] for p in citizens]
    start = threading.Barrier(THREADS)

    def run(index: int) -> list[str]:
        start.wait()
        return [service.submit(citizens[index], s)[0].case_no for s in prepared[index]]

    with ThreadPoolExecutor(THREADS) as pool:
        numbers = [n for batch in pool.map(run, range(THREADS)) for n in batch]
    assert len(numbers) == len(set(numbers)) == THREADS * 5
    assert sorted(numbers) == [f"51010420260929{seq:06d}" for seq in range(1, THREADS * 5 + 1)]


def test_concurrent_retries_of_one_submission_create_one_case(postgres_url, service_factory, catalog) -> None:  # type: ignore[no-untyped-def]
    service = service_factory(postgres_url)
    # Staggered catalogue replies: later retries open their transaction after the first one committed,
    # though they looked for the key before it did.
    catalog[1].stagger_s = 0.05
    submission = _submission(service, CITIZEN, "same-key")
    start = threading.Barrier(THREADS)

    def run(_: int) -> tuple[str, bool]:
        start.wait()
        case, replayed = service.submit(CITIZEN, submission)
        return case.case_no, replayed

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(run, range(THREADS)))
    assert len({no for no, _ in results}) == 1
    assert sum(not replayed for _, replayed in results) == 1
    with service.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 1
        assert s.scalar(select(func.count()).select_from(outbox)) == 1


def test_lifecycle_on_postgres_with_events_in_order(postgres_url, service_factory) -> None:  # type: ignore[no-untyped-def]
    service = service_factory(postgres_url)
    case, _ = service.submit(CITIZEN, _submission(service, CITIZEN, "life", names=("申请书",)))
    assert case.status == pb.CASE_STATUS_CORRECTION_REQUESTED
    more = _submission(service, CITIZEN, "files", names=("经营场所证明", "消防安全承诺书")).materials
    service.supplement(CITIZEN, case.case_no, more, None)
    accepted = service.accept(CLERK, case.case_no)
    assert accepted.promised_date.isoformat() == "2026-10-12"
    with service.db.transaction() as s:
        rows = list(s.execute(select(outbox).where(outbox.c.key == case.case_no).order_by(outbox.c.seq)))
    assert [r.ce_type for r in rows] == [
        "ywtb.intake.v1.CaseSubmitted",
        "ywtb.intake.v1.CaseCorrectionRequested",
        "ywtb.intake.v1.CaseSubmitted",
        "ywtb.intake.v1.CaseAccepted",
    ]
    assert {r.topic for r in rows} == {"ywtb.intake.case.v1"} and {r.tenant for r in rows} == {"510104"}
    assert json.loads(rows[-1].payload)["promisedCompletionDate"] == "2026-10-12"
