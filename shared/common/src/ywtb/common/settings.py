"""Settings base: one pydantic-settings class per service, read from prefixed environment variables."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, ClassVar, Literal, NoReturn, TypeVar

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from ywtb.common.errors import ConfigError

Mode = Literal["embedded", "local", "kubernetes"]

# Words found in the values shipped in examples and docs; a generated key never contains them.
_PLACEHOLDER_WORDS = ("changeme", "change-me", "change_me", "placeholder", "secret", "password", "example")
_PLACEHOLDER_PREFIXES = ("local-dev-only",)
MIN_SECRET_BYTES = 16


def placeholder_reason(value: str) -> str | None:
    """Why a secret value looks like a placeholder, or None when it does not."""
    lowered = value.strip().lower()
    if len(value.encode()) < MIN_SECRET_BYTES:
        return f"shorter than {MIN_SECRET_BYTES} bytes"
    if lowered.startswith(_PLACEHOLDER_PREFIXES):
        return "a local development placeholder"
    word = next((w for w in _PLACEHOLDER_WORDS if w in lowered), None)
    if word:
        return f"contains {word!r}"
    if len(set(value)) < 4:
        return "too few distinct characters"
    return None


class ServiceSettings(BaseSettings):
    """Fields every service shares; subclasses set their own env prefix (e.g. YWTB_INTAKE_)."""

    model_config = SettingsConfigDict(env_prefix="YWTB_", extra="ignore", case_sensitive=False)

    # Backends a service must be given outside embedded mode; a service without them (gateway) empties it.
    required_outside_embedded: ClassVar[frozenset[str]] = frozenset({"database_url", "kafka_bootstrap"})

    # `mode` comes first so later validators can read it.
    mode: Mode = "embedded"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    grpc_port: int = Field(default=50051, ge=1, le=65535)
    data_dir: Path = Path("var")
    database_url: str | None = Field(default=None, validate_default=True)
    kafka_bootstrap: str | None = Field(default=None, validate_default=True)
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: str | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    # Prefix of every topic and consumer group on the cluster: platforms side by side on one Kafka
    # (tests, benchmarks); empty in production.
    kafka_namespace: str = Field(default="", pattern=r"^([a-zA-Z0-9_-]{1,40})?$")
    event_log_path: Path = Path("var/events")
    migrate_on_start: bool = True
    internal_signing_key: SecretStr
    # A test's clock: the use cases' now moved by the seconds written in this file (embedded mode only).
    clock_shift_file: Path | None = None

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_placeholder_secrets(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, SecretStr):
            return value
        secret = value.get_secret_value()
        if not secret:
            raise ValueError("must not be empty")
        if info.data.get("mode", "embedded") != "embedded":
            reason = placeholder_reason(secret)
            if reason:
                raise ValueError(f"placeholder secret refused outside embedded mode ({reason})")
        return value

    @field_validator("clock_shift_file", mode="after")
    @classmethod
    def _test_clock_embedded_only(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is not None and info.data.get("mode", "embedded") != "embedded":
            raise ValueError("a test clock is refused outside embedded mode")
        return value

    @field_validator("database_url", "kafka_bootstrap", mode="after")
    @classmethod
    def _required_outside_embedded(cls, value: str | None, info: ValidationInfo) -> str | None:
        mode = info.data.get("mode", "embedded")
        if mode != "embedded" and not value and info.field_name in cls.required_outside_embedded:
            raise ValueError(f"required when mode is {mode!r}")
        return value


S = TypeVar("S", bound=ServiceSettings)


def env_var_name(cls: type[BaseSettings], field: str) -> str:
    """The environment variable that sets `field` of `cls`."""
    return f"{cls.model_config.get('env_prefix', '')}{field}".upper()


def _describe(cls: type[BaseSettings], error: Any) -> tuple[str, str]:
    loc = error.get("loc") or ()
    field = str(loc[0]) if loc else ""
    if error["type"] == "missing":
        return env_var_name(cls, field), "missing (required, no default)"
    reason = error["msg"].removeprefix("Value error, ")
    info = cls.model_fields.get(field)
    if info is not None and info.annotation is not SecretStr and isinstance(error.get("input"), str | int):
        reason += f" (got {str(error['input'])[:60]!r})"  # never echo a secret's value
    return (env_var_name(cls, field) if field else "(settings)"), reason


def load_settings(cls: type[S]) -> S:
    """Read `cls` from the environment; raise ConfigError naming every bad variable."""
    try:
        return cls()
    except ValidationError as exc:
        problems = [_describe(cls, e) for e in exc.errors(include_url=False)]
    except SettingsError as exc:
        problems = [("(settings)", str(exc))]
    lines = [f"{name}: {reason}" for name, reason in problems]
    raise ConfigError(
        "配置错误，请检查以下环境变量：\n" + "\n".join(f"  {line}" for line in lines),
        message_en="invalid configuration: " + "; ".join(lines),
        fields=dict(problems),
    )


def exit_on_config_error(error: ConfigError) -> NoReturn:
    """Print the configuration error on stderr and exit with status 2, without a traceback."""
    print(error.message, file=sys.stderr)
    raise SystemExit(2)


def load_settings_or_exit(cls: type[S]) -> S:
    """load_settings for `main`: on a bad configuration print the reasons and exit 2."""
    try:
        return load_settings(cls)
    except ConfigError as error:
        exit_on_config_error(error)


def kafka_client_config(settings: ServiceSettings) -> dict[str, str]:
    """librdkafka options for the settings' security protocol and SASL credentials (none for PLAINTEXT)."""
    return client_security_config(
        settings.kafka_security_protocol,
        settings.kafka_sasl_mechanism,
        settings.kafka_sasl_username,
        settings.kafka_sasl_password.get_secret_value() if settings.kafka_sasl_password else None,
    )


def client_security_config(
    protocol: str, mechanism: str | None, username: str | None, password: str | None
) -> dict[str, str]:
    """librdkafka security options; SASL needs all of mechanism, username and password."""
    if protocol == "PLAINTEXT":
        return {}
    config = {"security.protocol": protocol}
    if protocol.startswith("SASL"):
        missing = [
            n for n, v in (("mechanism", mechanism), ("username", username), ("password", password)) if not v
        ]
        if missing:
            raise ConfigError(f"Kafka {protocol} needs the SASL {', '.join(missing)}")
        config |= {
            "sasl.mechanism": str(mechanism),
            "sasl.username": str(username),
            "sasl.password": str(password),
        }
    return config
