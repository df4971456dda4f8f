"""Run the simulator: `python -m ywtb.common.sms_simulator` (settings from YWTB_SMSSIM_*)."""

from __future__ import annotations

import logging

import uvicorn

from ywtb.common.logs import configure_logging
from ywtb.common.settings import load_settings_or_exit
from ywtb.common.sms_simulator.app import create_app
from ywtb.common.sms_simulator.config import SimulatorSettings

SERVICE_NAME = "ywtb-sms-simulator"


def main() -> None:
    """Serve until interrupted; exit 2 on a bad configuration."""
    settings = load_settings_or_exit(SimulatorSettings)
    configure_logging(SERVICE_NAME, settings.log_level)
    logging.getLogger("ywtb.common.sms_simulator").warning(
        "SMS gateway SIMULATOR (tests and demos only) on %s:%d, data in %s, %d messages a number a day",
        settings.http_host,
        settings.http_port,
        settings.data_dir,
        settings.daily_limit,
    )
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        server_header=False,
    )


if __name__ == "__main__":
    main()
