"""Start the gateway: settings, logging, telemetry, then uvicorn."""

from __future__ import annotations

import logging

import uvicorn

from ywtb.common.logs import configure_logging
from ywtb.common.settings import load_settings_or_exit
from ywtb.common.telemetry import setup_telemetry
from ywtb.gateway.app import create_app
from ywtb.gateway.config import GatewaySettings

SERVICE_NAME = "ywtb-gateway"


def main() -> None:
    """Run the gateway until interrupted; exit 2 on a bad configuration."""
    settings = load_settings_or_exit(GatewaySettings)
    configure_logging(SERVICE_NAME, settings.log_level)
    setup_telemetry(SERVICE_NAME)
    logging.getLogger("ywtb.gateway").info(
        "starting gateway in %s mode on %s:%d; tokens: %s, issuer %s",
        settings.mode,
        settings.http_host,
        settings.http_port,
        settings.auth_mode,
        settings.oidc_issuer,
    )
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,  # uvicorn's loggers propagate to the JSON root handler
        access_log=False,  # the request middleware writes the access log
        server_header=False,
    )


if __name__ == "__main__":
    main()
