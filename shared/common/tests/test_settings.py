"""Settings: every bad variable named by its environment name; placeholder secrets refused outside embedded."""

from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic_settings import SettingsConfigDict

from ywtb.common.errors import ConfigError
from ywtb.common.settings import ServiceSettings, load_settings, load_settings_or_exit

REAL_KEY = "q7Vd2mX9pL4kR8sT1wZ6yB3nC5hJ0fGa"


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="YWTB_DEMO_")

    http_port: int = 8000


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("YWTB_"):
            monkeypatch.delenv(name)


def test_defaults_to_embedded_when_key_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YWTB_DEMO_INTERNAL_SIGNING_KEY", REAL_KEY)
    settings = load_settings(DemoSettings)
    assert settings.mode == "embedded"
    assert settings.internal_signing_key.get_secret_value() == REAL_KEY
    assert REAL_KEY not in repr(settings)


def test_missing_secret_named_by_env_var() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(DemoSettings)
    assert "YWTB_DEMO_INTERNAL_SIGNING_KEY: missing" in caught.value.message
    assert "YWTB_DEMO_INTERNAL_SIGNING_KEY" in caught.value.fields


def test_every_bad_variable_named_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YWTB_DEMO_GRPC_PORT", "fifty")
    monkeypatch.setenv("YWTB_DEMO_HTTP_PORT", "80x")
    monkeypatch.setenv("YWTB_DEMO_MODE", "cloud")
    with pytest.raises(ConfigError) as caught:
        load_settings(DemoSettings)
    fields = caught.value.fields
    assert set(fields) >= {
        "YWTB_DEMO_GRPC_PORT",
        "YWTB_DEMO_HTTP_PORT",
        "YWTB_DEMO_MODE",
        "YWTB_DEMO_INTERNAL_SIGNING_KEY",
    }
    assert "integer" in fields["YWTB_DEMO_GRPC_PORT"] and "'fifty'" in fields["YWTB_DEMO_GRPC_PORT"]


def test_out_of_range_port_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YWTB_DEMO_INTERNAL_SIGNING_KEY", REAL_KEY)
    monkeypatch.setenv("YWTB_DEMO_GRPC_PORT", "70000")
    with pytest.raises(ConfigError) as caught:
        load_settings(DemoSettings)
    assert list(caught.value.fields) == ["YWTB_DEMO_GRPC_PORT"]


@pytest.mark.parametrize(
    "placeholder",
    ["changeme", "changeme-changeme-changeme", "local-dev-only-signing-key-0001", "secret", "short-key-123"],
)
def test_placeholder_secret_refused_outside_embedded(
    monkeypatch: pytest.MonkeyPatch, placeholder: str
) -> None:
    monkeypatch.setenv("YWTB_DEMO_MODE", "kubernetes")
    monkeypatch.setenv("YWTB_DEMO_DATABASE_URL", "postgresql+psycopg://db/demo")
    monkeypatch.setenv("YWTB_DEMO_KAFKA_BOOTSTRAP", "kafka:9092")
    monkeypatch.setenv("YWTB_DEMO_INTERNAL_SIGNING_KEY", placeholder)
    with pytest.raises(ConfigError) as caught:
        load_settings(DemoSettings)
    assert list(caught.value.fields) == ["YWTB_DEMO_INTERNAL_SIGNING_KEY"]
    assert "placeholder" in caught.value.fields["YWTB_DEMO_INTERNAL_SIGNING_KEY"]
    assert "got" not in caught.value.message  # the secret's value is never echoed


def test_placeholder_secret_accepted_in_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YWTB_DEMO_INTERNAL_SIGNING_KEY", "local-dev-only-signing-key")
    assert load_settings(DemoSettings).internal_signing_key.get_secret_value() == "local-dev-only-signing-key"


def test_real_secret_accepted_outside_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YWTB_DEMO_MODE", "local")
    monkeypatch.setenv("YWTB_DEMO_DATABASE_URL", "postgresql+psycopg://db/demo")
    monkeypatch.setenv("YWTB_DEMO_KAFKA_BOOTSTRAP", "localhost:9092")
    monkeypatch.setenv("YWTB_DEMO_INTERNAL_SIGNING_KEY", REAL_KEY)
    assert load_settings(DemoSettings).mode == "local"


def test_real_backends_required_outside_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YWTB_DEMO_MODE", "local")
    monkeypatch.setenv("YWTB_DEMO_INTERNAL_SIGNING_KEY", REAL_KEY)
    with pytest.raises(ConfigError) as caught:
        load_settings(DemoSettings)
    assert set(caught.value.fields) == {"YWTB_DEMO_DATABASE_URL", "YWTB_DEMO_KAFKA_BOOTSTRAP"}


def test_service_without_backends_needs_none(monkeypatch: pytest.MonkeyPatch) -> None:
    class EdgeSettings(ServiceSettings):
        model_config = SettingsConfigDict(env_prefix="YWTB_EDGE_")
        required_outside_embedded: ClassVar[frozenset[str]] = frozenset()

    monkeypatch.setenv("YWTB_EDGE_MODE", "kubernetes")
    monkeypatch.setenv("YWTB_EDGE_INTERNAL_SIGNING_KEY", REAL_KEY)
    assert load_settings(EdgeSettings).database_url is None


def test_log_level_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YWTB_DEMO_INTERNAL_SIGNING_KEY", REAL_KEY)
    monkeypatch.setenv("YWTB_DEMO_LOG_LEVEL", "debug")
    assert load_settings(DemoSettings).log_level == "DEBUG"


def test_exit_code_2_and_message_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        load_settings_or_exit(DemoSettings)
    assert caught.value.code == 2
    captured = capsys.readouterr()
    assert "YWTB_DEMO_INTERNAL_SIGNING_KEY" in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_kafka_sasl_settings_become_client_options(monkeypatch) -> None:
    from ywtb.common.runtime import bus_for
    from ywtb.common.settings import ServiceSettings, kafka_client_config

    monkeypatch.setenv("YWTB_INTERNAL_SIGNING_KEY", "k" * 32)
    plain = ServiceSettings(kafka_bootstrap=None)
    assert kafka_client_config(plain) == {}
    sasl = ServiceSettings(
        kafka_bootstrap="kafka:9093",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="ywtb-intake",
        kafka_sasl_password="s3cr3t-from-a-kubernetes-secret",
    )
    config = kafka_client_config(sasl)
    assert config == {
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "ywtb-intake",
        "sasl.password": "s3cr3t-from-a-kubernetes-secret",
    }
    bus = bus_for(sasl, "ywtb-test")
    assert bus._common["sasl.username"] == "ywtb-intake"  # type: ignore[attr-defined]
    with pytest.raises(ConfigError):
        kafka_client_config(ServiceSettings(kafka_bootstrap="kafka:9093", kafka_security_protocol="SASL_SSL"))
