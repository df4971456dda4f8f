"""Kafka topic definitions: load deploy/topics.yaml and apply it to a cluster.

The file has a ``defaults:`` mapping and a ``topics:`` list. ``load_topics`` fills every
topic's missing fields from the defaults, validates the names (``ywtb.<service>.<aggregate>.v<N>``)
and adds a ``<name>.dlq`` companion for each topic with ``dlq: true``. ``apply_topics`` creates
the missing topics, grows partitions when the file asks for more (never shrinks) and aligns
``retention.ms`` / ``cleanup.policy`` of existing topics.

Command line::

    uv run python -m ywtb.common.events.topics apply deploy/topics.yaml --bootstrap 127.0.0.1:19092
    uv run python -m ywtb.common.events.topics list deploy/topics.yaml [--json]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

TOPIC_NAME_RE = re.compile(r"^ywtb\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.v[1-9][0-9]*$")
DLQ_SUFFIX = ".dlq"
CLEANUP_POLICIES = frozenset({"delete", "compact", "compact,delete", "delete,compact"})

_BUILTIN_DEFAULTS: dict[str, Any] = {
    "partitions": 3,
    "replication_factor": 1,
    "retention_ms": 604_800_000,
    "cleanup_policy": "delete",
    "public": False,
    "dlq": False,
    "dlq_retention_ms": 2_592_000_000,
}
_TOPIC_KEYS = frozenset(
    {
        "name",
        "partitions",
        "replication_factor",
        "retention_ms",
        "cleanup_policy",
        "description",
        "public",
        "dlq",
    }
    | {"dlq_retention_ms", "config"}
)


class TopicDefinitionError(ValueError):
    """The topic file is invalid; the message names the offending entry."""


@dataclass(frozen=True)
class TopicSpec:
    """One Kafka topic, fully expanded (defaults applied, dlq companions listed separately)."""

    name: str
    partitions: int = 3
    replication_factor: int = 1
    retention_ms: int = 604_800_000
    cleanup_policy: str = "delete"
    description: str = ""
    public: bool = False
    dlq: bool = False  # this topic has a <name>.dlq companion
    dlq_of: str | None = None  # set on a companion: the topic it serves
    config: Mapping[str, str] = field(default_factory=dict)  # extra topic configs

    @property
    def is_dlq(self) -> bool:
        return self.dlq_of is not None

    @property
    def dlq_name(self) -> str | None:
        return self.name + DLQ_SUFFIX if self.dlq else None

    def kafka_config(self) -> dict[str, str]:
        """The topic-level configs to create the topic with."""
        cfg = {"retention.ms": str(self.retention_ms), "cleanup.policy": self.cleanup_policy}
        cfg.update({str(k): str(v) for k, v in self.config.items()})
        return cfg

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["config"] = dict(self.config)
        return d


def dlq_topic(topic: str) -> str:
    """The dead-letter companion of a topic."""
    return topic + DLQ_SUFFIX


def validate_topic_name(name: object, where: str = "") -> str:
    """Return the name, or raise TopicDefinitionError naming the bad entry."""
    if not isinstance(name, str) or not TOPIC_NAME_RE.match(name):
        raise TopicDefinitionError(
            f"invalid topic name {name!r}{' in ' + where if where else ''}: "
            "expected ywtb.<service>.<aggregate>.v<N> (lower case, e.g. ywtb.intake.case.v1)"
        )
    return name


def _int(value: object, key: str, where: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise TopicDefinitionError(f"{where}: {key} must be an integer >= {minimum}, got {value!r}")
    return value


def _bool(value: object, key: str, where: str) -> bool:
    if not isinstance(value, bool):
        raise TopicDefinitionError(f"{where}: {key} must be true or false, got {value!r}")
    return value


def _retention(value: object, key: str, where: str) -> int:
    # -1 = keep forever
    if value == -1:
        return -1
    return _int(value, key, where, 1)


def parse_topics(data: object, source: str = "<topics>") -> list[TopicSpec]:
    """Expand a parsed topics document (see the module docstring) into TopicSpecs."""
    if not isinstance(data, Mapping):
        raise TopicDefinitionError(f"{source}: expected a mapping with 'defaults' and 'topics'")
    unknown_top = set(data) - {"defaults", "topics"}
    if unknown_top:
        raise TopicDefinitionError(f"{source}: unknown top-level keys {sorted(unknown_top)}")
    raw_defaults = data.get("defaults") or {}
    if not isinstance(raw_defaults, Mapping):
        raise TopicDefinitionError(f"{source}: 'defaults' must be a mapping")
    bad = set(raw_defaults) - (_TOPIC_KEYS - {"name", "description"})
    if bad:
        raise TopicDefinitionError(f"{source}: unknown keys in defaults: {sorted(bad)}")
    defaults = {**_BUILTIN_DEFAULTS, **raw_defaults}
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, list) or not raw_topics:
        raise TopicDefinitionError(f"{source}: 'topics' must be a non-empty list")

    specs: list[TopicSpec] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw_topics):
        where = f"{source} topics[{i}]"
        if not isinstance(entry, Mapping):
            raise TopicDefinitionError(f"{where}: expected a mapping, got {entry!r}")
        if "name" not in entry:
            raise TopicDefinitionError(f"{where}: missing 'name'")
        name = validate_topic_name(entry["name"], where)
        where = f"{source} topics[{i}] ({name})"
        unknown = set(entry) - _TOPIC_KEYS
        if unknown:
            raise TopicDefinitionError(f"{where}: unknown keys {sorted(unknown)}")
        if name in seen:
            raise TopicDefinitionError(f"{where}: duplicate topic name")
        seen.add(name)
        merged = {**defaults, **entry}
        cleanup = merged["cleanup_policy"]
        if cleanup not in CLEANUP_POLICIES:
            raise TopicDefinitionError(f"{where}: cleanup_policy must be one of {sorted(CLEANUP_POLICIES)}")
        config = merged.get("config") or {}
        if not isinstance(config, Mapping):
            raise TopicDefinitionError(f"{where}: config must be a mapping of Kafka topic configs")
        spec = TopicSpec(
            name=name,
            partitions=_int(merged["partitions"], "partitions", where, 1),
            replication_factor=_int(merged["replication_factor"], "replication_factor", where, 1),
            retention_ms=_retention(merged["retention_ms"], "retention_ms", where),
            cleanup_policy=str(cleanup),
            description=str(merged.get("description") or ""),
            public=_bool(merged["public"], "public", where),
            dlq=_bool(merged["dlq"], "dlq", where),
            config={str(k): str(v) for k, v in config.items()},
        )
        specs.append(spec)
        if spec.dlq:
            specs.append(
                TopicSpec(
                    name=dlq_topic(name),
                    partitions=spec.partitions,
                    replication_factor=spec.replication_factor,
                    retention_ms=_retention(merged["dlq_retention_ms"], "dlq_retention_ms", where),
                    cleanup_policy="delete",
                    description=f"dead letters of {name}: messages that kept failing, with the error",
                    public=False,
                    dlq=False,
                    dlq_of=name,
                )
            )
    return specs


def load_topics(path: str | Path) -> list[TopicSpec]:
    """Load and expand a topics file (deploy/topics.yaml)."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TopicDefinitionError(f"{p}: not valid YAML: {exc}") from exc
    return parse_topics(data, str(p))


def partitions_for(specs: Iterable[TopicSpec], topic: str, default: int = 3) -> int:
    """The partition count the definitions give a topic (default when it is not defined)."""
    for spec in specs:
        if spec.name == topic:
            return spec.partitions
    return default


def apply_topics(
    bootstrap: str,
    specs: Iterable[TopicSpec],
    timeout: float = 30,
    replication_factor: int | None = None,
    admin_config: Mapping[str, Any] | None = None,
) -> dict[str, list[str]]:
    """Create missing topics, grow partitions, align retention/cleanup. Idempotent.

    Returns the topic names by outcome: created, grown, reconfigured, unchanged, not_shrunk.
    Raises RuntimeError when Kafka refuses a change.
    """
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import (
        AdminClient,
        AlterConfigOpType,
        ConfigEntry,
        ConfigResource,
        NewPartitions,
        NewTopic,
    )

    specs = list(specs)
    # log_level 4: keep librdkafka's info chatter (e.g. BGQUEUE purges at exit) off the console
    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 4, **(admin_config or {})})
    try:
        metadata = admin.list_topics(timeout=timeout)
    except KafkaException as exc:
        raise RuntimeError(f"Kafka at {bootstrap} did not answer within {timeout}s: {exc}") from exc
    existing = {name: len(t.partitions) for name, t in metadata.topics.items() if t.error is None}
    result: dict[str, list[str]] = {
        k: [] for k in ("created", "grown", "reconfigured", "unchanged", "not_shrunk")
    }
    errors: list[str] = []

    def _wait(futures: Mapping[str, Any], what: str, ok: list[str]) -> None:
        for name, fut in futures.items():
            try:
                fut.result(timeout=timeout)
                ok.append(name if isinstance(name, str) else name.name)
            except KafkaException as exc:
                err = exc.args[0] if exc.args else exc
                if what == "create" and getattr(err, "name", lambda: "")() == "TOPIC_ALREADY_EXISTS":
                    result["unchanged"].append(name)
                    continue
                errors.append(f"{what} {name if isinstance(name, str) else name.name}: {err}")

    new_topics = [
        NewTopic(
            s.name,
            num_partitions=s.partitions,
            replication_factor=replication_factor or s.replication_factor,
            config=s.kafka_config(),
        )
        for s in specs
        if s.name not in existing
    ]
    if new_topics:
        _wait(
            admin.create_topics(new_topics, operation_timeout=timeout, request_timeout=timeout),
            "create",
            result["created"],
        )

    grow = []
    for s in specs:
        have = existing.get(s.name)
        if have is None:
            continue
        if s.partitions > have:
            grow.append(NewPartitions(s.name, s.partitions))
        elif s.partitions < have:
            log.warning(
                "topic %s has %d partitions, the file asks %d: partitions are never decreased",
                s.name,
                have,
                s.partitions,
            )
            result["not_shrunk"].append(s.name)
    if grow:
        _wait(
            admin.create_partitions(grow, operation_timeout=timeout, request_timeout=timeout),
            "grow",
            result["grown"],
        )

    # align retention.ms / cleanup.policy (and extra configs) of the topics that already existed
    present = [s for s in specs if s.name in existing]
    if present:
        resources = [ConfigResource(ConfigResource.Type.TOPIC, s.name) for s in present]
        described = admin.describe_configs(resources, request_timeout=timeout)
        changes = []
        for s in present:
            res = next(r for r in described if r.name == s.name)
            try:
                current = described[res].result(timeout=timeout)
            except KafkaException as exc:
                errors.append(f"describe {s.name}: {exc}")
                continue
            entries = [
                ConfigEntry(key, value, incremental_operation=AlterConfigOpType.SET)
                for key, value in s.kafka_config().items()
                if key not in current or current[key].value != value
            ]
            if entries:
                changes.append(ConfigResource(ConfigResource.Type.TOPIC, s.name, incremental_configs=entries))
        if changes:
            futures = admin.incremental_alter_configs(changes, request_timeout=timeout)
            _wait({r.name: f for r, f in futures.items()}, "configure", result["reconfigured"])
    touched = (
        set(result["created"])
        | set(result["grown"])
        | set(result["reconfigured"])
        | set(result["not_shrunk"])
    )
    result["unchanged"] = sorted({s.name for s in specs} - touched)
    if errors:
        raise RuntimeError("Kafka refused topic changes: " + "; ".join(errors))
    return result


def _security_from_env() -> dict[str, str]:
    """SASL for the topics Job, from YWTB_KAFKA_SECURITY_PROTOCOL / _SASL_MECHANISM / _USERNAME / _PASSWORD."""
    from ywtb.common.settings import client_security_config

    return client_security_config(
        os.environ.get("YWTB_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"),
        os.environ.get("YWTB_KAFKA_SASL_MECHANISM"),
        os.environ.get("YWTB_KAFKA_SASL_USERNAME"),
        os.environ.get("YWTB_KAFKA_SASL_PASSWORD"),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ywtb.common.events.topics", description="Kafka topic definitions (deploy/topics.yaml)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_apply = sub.add_parser("apply", help="create missing topics and grow partitions on a cluster")
    p_apply.add_argument("file", help="topic definition file, e.g. deploy/topics.yaml")
    p_apply.add_argument(
        "--bootstrap",
        default=os.environ.get("YWTB_KAFKA_BOOTSTRAP"),
        help="Kafka bootstrap servers, e.g. 127.0.0.1:19092 (default $YWTB_KAFKA_BOOTSTRAP)",
    )
    p_apply.add_argument("--timeout", type=float, default=30, help="seconds to wait for Kafka (default 30)")
    p_apply.add_argument(
        "--replication-factor", type=int, default=None, help="override every topic's replication factor"
    )
    p_list = sub.add_parser("list", help="print the expanded topic list")
    p_list.add_argument("file")
    p_list.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    try:
        specs = load_topics(args.file)
    except (OSError, TopicDefinitionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    if args.command == "list":
        if args.json:
            print(json.dumps([s.to_dict() for s in specs], ensure_ascii=False, indent=2))
        else:
            for s in specs:
                flags = ",".join(
                    f for f, on in (("public", s.public), ("dlq", s.dlq), ("dead-letter", s.is_dlq)) if on
                )
                print(
                    f"{s.name:40} partitions={s.partitions} rf={s.replication_factor} retention_ms={s.retention_ms} "
                    f"cleanup={s.cleanup_policy} {flags}"
                )
        return 0

    if not args.bootstrap:
        parser.error("apply: --bootstrap or YWTB_KAFKA_BOOTSTRAP is required")
    try:
        result = apply_topics(
            args.bootstrap,
            specs,
            timeout=args.timeout,
            replication_factor=args.replication_factor,
            admin_config=_security_from_env(),
        )
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"topics on {args.bootstrap}: {len(result['created'])} created, {len(result['grown'])} grown, "
        f"{len(result['reconfigured'])} reconfigured, {len(result['unchanged'])} unchanged"
        + (
            f", {len(result['not_shrunk'])} not shrunk (have more partitions than asked)"
            if result["not_shrunk"]
            else ""
        )
    )
    for key in ("created", "grown", "reconfigured", "not_shrunk"):
        for name in result[key]:
            print(f"  {key}: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
