"""The local stack of deploy/local/: PostgreSQL, Redis, Kafka (with the topics), Keycloak.

Integration tests need `bash deploy/local/up.sh` and `. .run/stack.env`.
The load_topics unit tests need nothing.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from ywtb.common.events.topics import TopicDefinitionError, load_topics, partitions_for

ROOT = Path(__file__).resolve().parents[2]
TOPICS_FILE = ROOT / "deploy" / "topics.yaml"


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(
            f"{name} is not set: start the stack with `bash deploy/local/up.sh` and `source .run/stack.env` "
            "(or deselect with -m 'not integration')",
            pytrace=False,
        )
    return value


# ------------------------------------------------------------------ integration


@pytest.mark.integration
def test_postgres_accepts_connections() -> None:
    import sqlalchemy

    engine = sqlalchemy.create_engine(env("YWTB_POSTGRES_URL"))
    try:
        with engine.connect() as conn:
            assert conn.execute(sqlalchemy.text("select 1")).scalar_one() == 1
            version = conn.execute(sqlalchemy.text("show server_version")).scalar_one()
            assert int(version.split(".")[0]) >= 13
            # the role may create the per-service / per-test databases
            assert conn.execute(
                sqlalchemy.text("select rolsuper from pg_roles where rolname = current_user")
            ).scalar_one()
    finally:
        engine.dispose()


@pytest.mark.integration
def test_redis_ping() -> None:
    import redis

    client = redis.Redis.from_url(env("YWTB_REDIS_URL"), socket_timeout=5)
    try:
        assert client.ping() is True
    finally:
        client.close()


@pytest.mark.integration
def test_kafka_has_every_topic_with_its_partitions() -> None:
    from confluent_kafka.admin import AdminClient

    specs = load_topics(TOPICS_FILE)
    admin = AdminClient({"bootstrap.servers": env("YWTB_KAFKA_BOOTSTRAP")})
    metadata = admin.list_topics(timeout=15)
    missing = [s.name for s in specs if s.name not in metadata.topics]
    assert not missing, f"topics missing on Kafka (run up.sh, which applies deploy/topics.yaml): {missing}"
    wrong = {
        s.name: (len(metadata.topics[s.name].partitions), s.partitions)
        for s in specs
        if len(metadata.topics[s.name].partitions) < s.partitions
    }
    assert not wrong, f"topics with fewer partitions than deploy/topics.yaml asks (have, want): {wrong}"
    assert any(s.is_dlq for s in specs)


@pytest.mark.integration
def test_kafka_ctl_script_is_exported() -> None:
    ctl = Path(env("YWTB_KAFKA_CTL"))
    assert ctl.is_file() and ctl.name == "kafka.sh"


@pytest.mark.integration
def test_keycloak_realm_discovery() -> None:
    import httpx

    base = env("YWTB_KEYCLOAK_URL").rstrip("/")
    realm = env("YWTB_KEYCLOAK_REALM")
    resp = httpx.get(f"{base}/realms/{realm}/.well-known/openid-configuration", timeout=10)
    assert resp.status_code == 200, resp.text
    doc = resp.json()
    assert doc["issuer"].endswith("/realms/ywtb")
    assert "S256" in doc.get("code_challenge_methods_supported", [])


@pytest.mark.integration
def test_keycloak_identity_admin_client_credentials() -> None:
    """The provisioning client gets a token and may list users of the realm."""
    import httpx

    base = env("YWTB_KEYCLOAK_URL").rstrip("/")
    realm = env("YWTB_KEYCLOAK_REALM")
    token = httpx.post(
        f"{base}/realms/{realm}/protocol/openid-connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "ywtb-identity-admin",
            "client_secret": env("YWTB_KEYCLOAK_IDENTITY_ADMIN_SECRET"),
        },
        timeout=10,
    )
    assert token.status_code == 200, token.text
    users = httpx.get(
        f"{base}/admin/realms/{realm}/users",
        params={"max": 1},
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        timeout=10,
    )
    assert users.status_code == 200, users.text


# ------------------------------------------------------------------ unit: load_topics


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "topics.yaml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def test_load_topics_expands_defaults_and_dlq(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        defaults:
          partitions: 4
          replication_factor: 1
          retention_ms: 1000
          cleanup_policy: delete
          dlq_retention_ms: 9000
        topics:
          - name: ywtb.intake.case.v1
            partitions: 6
            public: true
            dlq: true
            description: cases
          - name: ywtb.catalog.item.v2
            cleanup_policy: compact
        """,
    )
    specs = load_topics(path)
    by_name = {s.name: s for s in specs}
    assert [s.name for s in specs] == [
        "ywtb.intake.case.v1",
        "ywtb.intake.case.v1.dlq",
        "ywtb.catalog.item.v2",
    ]

    case = by_name["ywtb.intake.case.v1"]
    assert (case.partitions, case.retention_ms, case.public, case.dlq, case.description) == (
        6,
        1000,
        True,
        True,
        "cases",
    )
    assert case.dlq_name == "ywtb.intake.case.v1.dlq"
    assert case.kafka_config() == {"retention.ms": "1000", "cleanup.policy": "delete"}

    dlq = by_name["ywtb.intake.case.v1.dlq"]
    assert dlq.is_dlq and dlq.dlq_of == "ywtb.intake.case.v1"
    assert (dlq.partitions, dlq.retention_ms, dlq.public, dlq.cleanup_policy) == (6, 9000, False, "delete")

    item = by_name["ywtb.catalog.item.v2"]
    assert (item.partitions, item.retention_ms, item.cleanup_policy, item.public, item.dlq) == (
        4,
        1000,
        "compact",
        False,
        False,
    )

    assert partitions_for(specs, "ywtb.intake.case.v1") == 6
    assert partitions_for(specs, "ywtb.catalog.item.v2") == 4
    assert partitions_for(specs, "ywtb.unknown.thing.v1", default=7) == 7


@pytest.mark.parametrize(
    "bad",
    [
        "intake.case.v1",
        "ywtb.intake.case",
        "ywtb.Intake.case.v1",
        "ywtb.intake.case.v0",
        "ywtb.intake.case.v1.dlq",
    ],
)
def test_load_topics_rejects_bad_names(tmp_path: Path, bad: str) -> None:
    path = _write(
        tmp_path,
        f"""
        defaults: {{partitions: 3}}
        topics:
          - name: ywtb.intake.case.v1
          - name: {bad}
        """,
    )
    with pytest.raises(TopicDefinitionError) as info:
        load_topics(path)
    assert bad in str(info.value) and "topics[1]" in str(info.value)


def test_load_topics_rejects_duplicates_and_unknown_keys(tmp_path: Path) -> None:
    dup = _write(tmp_path, "topics: [{name: ywtb.a.b.v1}, {name: ywtb.a.b.v1}]\n")
    with pytest.raises(TopicDefinitionError, match="duplicate"):
        load_topics(dup)
    typo = _write(tmp_path, "topics: [{name: ywtb.a.b.v1, partition: 3}]\n")
    with pytest.raises(TopicDefinitionError, match="partition"):
        load_topics(typo)


def test_repository_topics_file_is_valid() -> None:
    specs = load_topics(TOPICS_FILE)
    names = {s.name for s in specs}
    for aggregate in (
        "identity.tenant",
        "identity.department",
        "identity.staff",
        "identity.person",
        "catalog.item",
        "intake.case",
        "approval.case",
        "licence.licence",
        "payment.order",
        "evaluation.rating",
        "datashare.grant",
        "supervision.card",
    ):
        assert f"ywtb.{aggregate}.v1" in names
        assert f"ywtb.{aggregate}.v1.dlq" in names
    assert all(s.replication_factor == 1 for s in specs)
