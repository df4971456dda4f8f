"""Reach the real local stack started by deploy/local/up.sh (settings come from .run/stack.env)."""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest


def stack_env(name: str) -> str:
    """A variable of the local stack; fails the test clearly when the stack was not started."""
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: start the local stack with `make up` (deploy/local/up.sh) first")
    return value


def kafka_ctl(action: str) -> None:
    """Stop or start the local Kafka broker (to simulate an outage)."""
    subprocess.run(["bash", stack_env("YWTB_KAFKA_CTL"), action], check=True, timeout=180)


def create_kafka_topics(bootstrap: str, topics: list[str], partitions: int = 3) -> None:
    """Create topics on Kafka and wait until they exist."""
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics(
        [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in topics]
    )
    for future in futures.values():
        future.result(timeout=30)


def unique_name(prefix: str = "t") -> str:
    """A short unique name for a test's topic, group or database."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"
