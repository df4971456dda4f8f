"""Run the simulator: `python -m ywtb.payment.nontax_simulator` (settings from YWTB_NONTAXSIM_*)."""

from __future__ import annotations

from ywtb.common.simulator_kit import serve
from ywtb.payment.nontax_simulator.app import create_app
from ywtb.payment.nontax_simulator.config import SimulatorSettings

SERVICE_NAME = "ywtb-nontax-simulator"


def _details(settings: SimulatorSettings) -> str:
    callbacks = f"callbacks to {settings.callback_to() or 'nowhere'} ({settings.callback_mode})"
    return f", {callbacks}, refunds {settings.refund_mode}"


def main() -> None:
    """Serve until interrupted; exit 2 on a bad configuration."""
    serve(SimulatorSettings, create_app, SERVICE_NAME, "non-tax platform", _details)


if __name__ == "__main__":
    main()
