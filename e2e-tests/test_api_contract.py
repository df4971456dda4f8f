"""The gateway's OpenAPI holds: Schemathesis sends generated requests to every operation of the embedded
platform as each demo role and as nobody — no server error, no status, content type or body the document
does not declare.

The examples are bounded (YWTB_CONTRACT_EXAMPLES valid and YWTB_CONTRACT_NEGATIVE invalid requests per
operation, each sent once per identity) and derandomized, so one run is repeatable and takes about two
minutes on two cores, the platform start included.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ywtb.common.testing.demo import CITIZEN

EXAMPLES = int(os.environ.get("YWTB_CONTRACT_EXAMPLES", "8"))  # valid requests per operation
NEGATIVE = int(os.environ.get("YWTB_CONTRACT_NEGATIVE", "4"))  # requests that break the schema
POSITIVE, NEGATIVE_MODE = GenerationMode.POSITIVE, GenerationMode.NEGATIVE
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# One account of each role seeded by make run (ywtb.identity.seed), and nobody.
ACCOUNTS = {
    "platform_admin": "platform.admin",
    "tenant_admin (city)": "chengdu.admin",
    "tenant_admin (county)": "jinjiang.admin",
    "dept_admin": "jinjiang.deptadmin",
    "window_clerk": "jinjiang.clerk",
    "approver": "jinjiang.approver",
    "supervisor": "jinjiang.supervisor",
    "citizen, legal_person_agent": CITIZEN,
}


def _identities(
    gateway: httpx.Client, login: Callable[[httpx.Client, str], dict[str, str]]
) -> dict[str, dict[str, str]]:
    return {"anonymous": {}, **{role: login(gateway, username) for role, username in ACCOUNTS.items()}}


def _failure_text(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:600]


@pytest.mark.contract
@pytest.mark.timeout(600)  # about two minutes; room for a slower machine
def test_every_operation_keeps_its_contract_for_every_role(contract_gateway, login) -> None:  # type: ignore[no-untyped-def]
    base_url = str(contract_gateway.base_url).rstrip("/")
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    identities = _identities(contract_gateway, login)
    session = requests.Session()
    failures: dict[tuple[str, str], str] = {}
    statuses: Counter[int] = Counter()
    calls = 0
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]

    runs = [
        (op, mode, n) for op in operations for mode, n in ((POSITIVE, EXAMPLES), (NEGATIVE_MODE, NEGATIVE))
    ]
    for operation, mode, examples in runs:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: each failure is reported as found
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case: schemathesis.Case) -> None:
            nonlocal calls
            for role, headers in identities.items():
                key = (case.operation.label, role)
                if key in failures:
                    continue
                try:
                    response = case.call_and_validate(
                        base_url=base_url, session=session, headers=headers, checks=CHECKS, timeout=30
                    )
                    statuses[response.status_code] += 1
                except (Exception, BaseExceptionGroup) as exc:  # a failed check: recorded, the others go on
                    failures[key] = f"{_failure_text(exc)} | reproduce: {case.as_curl_command(headers)}"
                calls += 1

        exercise()

    duration = time.monotonic() - started
    print(
        f"\ncontract: {len(operations)} operations, {calls} calls (up to {EXAMPLES} valid and {NEGATIVE} invalid "
        f"requests each, x {len(identities)} identities), {duration:.0f} s, statuses {dict(sorted(statuses.items()))}"
    )
    # One line per operation and kind of failure, with the roles it happened to and the first one's details.
    by_failure: dict[tuple[str, str], tuple[list[str], str]] = {}
    for (label, role), text in sorted(failures.items()):
        roles, _ = by_failure.setdefault((label, text.split(" [", 1)[0]), ([], text))
        roles.append(role)
    report = "\n".join(
        f"{label} as {', '.join(roles)}: {text}" for (label, _), (roles, text) in by_failure.items()
    )
    assert not failures, f"{len(failures)} contract failure(s):\n{report}"
    assert calls >= len(operations) * len(identities), "every operation was called as every identity"
    assert statuses[200] + statuses[201] > 0, "some calls succeeded (the tokens were accepted)"
