"""Run the simulator: `python -m ywtb.common.sms_simulator` (settings from YWTB_SMSSIM_*)."""

from __future__ import annotations

from ywtb.common.simulator_kit import serve
from ywtb.common.sms_simulator.app import create_app
from ywtb.common.sms_simulator.config import SimulatorSettings

SERVICE_NAME = "ywtb-sms-simulator"


def _details(settings: SimulatorSettings) -> str:
    return f", {settings.daily_limit} messages a number a day"


def main() -> None:
    """Serve until interrupted; exit 2 on a bad configuration."""
    serve(SimulatorSettings, create_app, SERVICE_NAME, "SMS gateway", _details)


if __name__ == "__main__":
    main()
