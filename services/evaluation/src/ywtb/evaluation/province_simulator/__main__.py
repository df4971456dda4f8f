"""Run the simulator: `python -m ywtb.evaluation.province_simulator` (settings from YWTB_HAOCPSIM_*)."""

from __future__ import annotations

from ywtb.common.simulator_kit import serve
from ywtb.evaluation.province_simulator.app import create_app
from ywtb.evaluation.province_simulator.config import SimulatorSettings

SERVICE_NAME = "ywtb-haocp-simulator"


def main() -> None:
    """Serve until interrupted; exit 2 on a bad configuration."""
    serve(SimulatorSettings, create_app, SERVICE_NAME, "provincial 好差评 platform")


if __name__ == "__main__":
    main()
