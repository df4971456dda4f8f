"""The test platforms run side by side, each shifting every registry port (e2e-tests/conftest.py: 12000 … 12050 in
steps of 10; the scale-out test's second replicas another 5): no port of one may be another's, or a platform
finds its port taken (the simulators listen 60 ports or more apart, on ports ending in 0, for that)."""

from __future__ import annotations

from ywtb.common.components import registry

SHIFTS = range(12000, 12060, 10)
SCALE_OUT, REPLICA_STEP, REPLICATED = 12030, 5, ("intake", "approval")  # e2e-tests/test_scale_out.py


def test_no_two_components_meet_on_one_port_under_the_test_shifts() -> None:
    components = [*registry(), *registry().simulators()]
    taken: dict[int, str] = {}
    for shift in SHIFTS:
        for component in components:
            second = shift == SCALE_OUT and component.name in REPLICATED
            for replica in (0, REPLICA_STEP) if second else (0,):
                for port in component.ports.all():
                    where = f"{component.name}+{shift}+{replica}"
                    other = taken.setdefault(port + shift + replica, where)
                    assert other == where, f"{where} and {other} both want port {port + shift + replica}"
