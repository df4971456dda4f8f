"""Start the portal: settings, logging, telemetry, then uvicorn."""

from __future__ import annotations

import logging

import uvicorn

from ywtb.common.logs import configure_logging
from ywtb.common.settings import load_settings_or_exit
from ywtb.common.telemetry import setup_telemetry
from ywtb.portal.app import create_app
from ywtb.portal.config import PortalSettings

SERVICE_NAME = "ywtb-portal"


def main() -> None:
    """Run the portal until interrupted; exit 2 on a bad configuration."""
    settings = load_settings_or_exit(PortalSettings)
    configure_logging(SERVICE_NAME, settings.log_level)
    setup_telemetry(SERVICE_NAME)
    logging.getLogger("ywtb.portal").info(
        "starting portal in %s mode on %s:%d; gateway %s, issuer %s",
        settings.mode,
        settings.http_host,
        settings.http_port,
        settings.gateway_url,
        settings.oidc_issuer,
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
