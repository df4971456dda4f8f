"""Portal settings: defaults for the embedded run, what is required elsewhere."""

from __future__ import annotations

import pytest

from ywtb.common.errors import ConfigError
from ywtb.common.settings import load_settings
from ywtb.portal.config import PortalSettings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith(("YWTB_PORTAL_", "YWTB_KEYCLOAK")):
            monkeypatch.delenv(name)


def test_embedded_defaults_log_in_at_the_gateway_issuer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YWTB_KEYCLOAK_URL", "http://keycloak.invalid")  # ignored, as by the gateway
    settings = load_settings(PortalSettings)
    assert settings.gateway_url == "http://127.0.0.1:8000"
    assert settings.oidc_issuer == "http://127.0.0.1:8000/realms/ywtb"
    assert settings.oidc_internal_issuer == settings.oidc_issuer
    assert settings.public_url == "http://127.0.0.1:8080"
    assert settings.redis_url is None


def test_kubernetes_needs_redis_and_keycloak(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YWTB_PORTAL_MODE", "kubernetes")
    with pytest.raises(ConfigError) as failure:
        load_settings(PortalSettings)
    assert set(failure.value.fields) == {"YWTB_PORTAL_REDIS_URL", "YWTB_PORTAL_OIDC_ISSUER"}


def test_kubernetes_settings_from_the_chart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YWTB_PORTAL_MODE", "kubernetes")
    monkeypatch.setenv("YWTB_PORTAL_REDIS_URL", "redis://redis:6379/0")
    monkeypatch.setenv("YWTB_PORTAL_KEYCLOAK_URL", "https://keycloak.example.cn/")
    monkeypatch.setenv("YWTB_PORTAL_GATEWAY_TARGET", "ywtb-gateway:8000")
    monkeypatch.setenv("YWTB_PORTAL_PUBLIC_URL", "https://ywtb.example.cn/")
    settings = load_settings(PortalSettings)
    assert settings.gateway_url == "http://ywtb-gateway:8000"
    assert settings.oidc_issuer == "https://keycloak.example.cn/realms/ywtb"
    assert settings.public_url == "https://ywtb.example.cn"
