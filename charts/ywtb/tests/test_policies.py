"""Policy tests over the rendered chart: every example passes; breaking a policy in values turns them red."""

from __future__ import annotations

import pytest
import yaml

from .conftest import CHART, ROOT, RenderError, render
from .policies import (
    ALL_CHECKS,
    all_violations,
    coverage_violations,
    env_violations,
    image_violations,
    pod_specs,
    probe_violations,
    security_violations,
)

# The components the chart renders: its copy of the registry (deploy/components.yaml).
# The chart's components: the registry's, its simulators of outside systems apart (make run only).
REGISTRY = {
    name: c
    for name, c in yaml.safe_load((CHART / "files" / "components.yaml").read_text())["components"].items()
    if not c.get("simulates")
}
GRPC = {name for name, c in REGISTRY.items() if c["ports"].get("grpc")}
WITH_DATABASE = {name for name, c in REGISTRY.items() if "postgresql" in c.get("backends", [])}


def _enabled(example: str) -> set[str]:
    """The registry's components an example leaves enabled."""
    values = yaml.safe_load((CHART / "examples" / f"{example}.yaml").read_text()).get("components") or {}
    return {name for name in REGISTRY if (values.get(name) or {}).get("enabled", True)}


def _kinds(objects: list[dict]) -> set[str]:
    return {o["kind"] for o in objects}


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_examples_comply(rendered: list[dict], check) -> None:
    assert check(rendered) == []


def test_every_enabled_component_has_its_objects() -> None:
    objects = render("production")
    names = {o["metadata"]["name"] for o in objects if o["kind"] == "Deployment"}
    assert names == {f"ywtb-{c}" for c in REGISTRY}
    assert {
        "ServiceAccount",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
    } <= (_kinds(objects))
    assert {o["metadata"]["name"] for o in objects if o["kind"] == "Ingress"} == {
        "ywtb-gateway",
        "ywtb-portal",
    }


def test_partial_renders_only_enabled_components() -> None:
    objects = render("partial")
    deployments = {o["metadata"]["name"] for o in objects if o["kind"] == "Deployment"}
    enabled = _enabled("partial")
    assert {"gateway", "identity", "catalog"} <= enabled and not {"intake", "approval", "portal"} & enabled
    assert deployments == {f"ywtb-{c}" for c in enabled}
    jobs = {o["metadata"]["name"] for o in objects if o["kind"] == "Job"}
    assert jobs == {f"ywtb-migrate-{c}" for c in enabled & WITH_DATABASE}


def test_portal_reaches_only_the_gateway_keycloak_and_redis() -> None:
    objects = render("production")
    portal = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "ywtb-portal")
    env = {e["name"]: e for e in portal["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["YWTB_PORTAL_GATEWAY_TARGET"]["value"] == "ywtb-gateway:8000"
    assert "secretKeyRef" in env["YWTB_PORTAL_REDIS_URL"]["valueFrom"]
    assert env["YWTB_PORTAL_COOKIE_SECURE"]["value"] == "true"
    policies = {o["metadata"]["name"]: o for o in objects if o["kind"] == "NetworkPolicy"}
    gateway_sources = [
        peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/component")
        for rule in policies["ywtb-gateway"]["spec"]["ingress"]
        for peer in rule["from"]
    ]
    assert "portal" in gateway_sources
    egress_pods = [
        peer["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
        for rule in policies["ywtb-portal"]["spec"]["egress"]
        for peer in rule.get("to", [])
        if "podSelector" in peer
    ]
    assert egress_pods == ["gateway"]


def _partitions() -> dict[str, int]:
    """Partitions of each topic of the chart's copy of deploy/topics.yaml (defaults filled in)."""
    topics = yaml.safe_load((CHART / "files" / "topics.yaml").read_text())
    return {t["name"]: t.get("partitions", topics["defaults"]["partitions"]) for t in topics["topics"]}


@pytest.mark.parametrize("example", ["minimal", "production"])
def test_intake_and_approval_scale_out_within_their_partitions(example: str) -> None:
    objects = render(example)
    hpas = {o["metadata"]["name"]: o["spec"] for o in objects if o["kind"] == "HorizontalPodAutoscaler"}
    partitions = _partitions()
    for name in ("intake", "approval"):
        hpa = hpas[f"ywtb-{name}"]
        assert hpa["minReplicas"] >= 2  # the scale-out test's two replicas: one may die, one serves
        # A group member past the partition count consumes nothing (approval: ywtb.intake.case.v1).
        assert all(hpa["maxReplicas"] <= partitions[t] for t in REGISTRY[name]["consumes"]), hpa
    assert REGISTRY["approval"]["consumes"] == ["ywtb.intake.case.v1"]
    pdbs = {o["metadata"]["name"]: o["spec"] for o in objects if o["kind"] == "PodDisruptionBudget"}
    assert {pdbs[f"ywtb-{name}"].get("minAvailable") for name in ("intake", "approval")} == {1}
    assert not any("maxUnavailable" in spec and "minAvailable" in spec for spec in pdbs.values())


def test_callers_balance_grpc_calls_over_every_pod() -> None:
    objects = render("minimal")
    headless = {
        o["metadata"]["name"]: o["spec"]
        for o in objects
        if o["kind"] == "Service" and o["spec"].get("clusterIP") == "None"
    }
    assert set(headless) == {f"ywtb-{name}-headless" for name in GRPC}
    gateway = _container(objects, "ywtb-gateway")
    env = {e["name"]: e.get("value") for e in gateway["env"]}
    for name in ("identity", "catalog", "intake", "approval"):
        port = REGISTRY[name]["ports"]["grpc"]
        assert env[f"YWTB_GATEWAY_{name.upper()}_TARGET"] == f"dns:///ywtb-{name}-headless:{port}"
        assert headless[f"ywtb-{name}-headless"]["ports"][0]["port"] == port


def test_a_single_pod_budget_uses_max_unavailable() -> None:
    pdbs = [o["spec"] for o in render("partial") if o["kind"] == "PodDisruptionBudget"]
    assert pdbs and all(spec == {**spec, "maxUnavailable": 1} and "minAvailable" not in spec for spec in pdbs)


def test_grpc_services_use_native_grpc_probes() -> None:
    for o in render("minimal"):
        if o["kind"] == "Deployment" and o["metadata"]["name"].removeprefix("ywtb-") in GRPC:
            c = o["spec"]["template"]["spec"]["containers"][0]
            port = c["ports"][0]["containerPort"]
            assert c["livenessProbe"]["grpc"] == {"port": port}
            assert c["readinessProbe"]["grpc"] == {"port": port}


def test_otel_service_name_comes_from_the_pod_label() -> None:
    for o in render("minimal"):
        if o["kind"] == "Deployment":
            env = {e["name"]: e for e in o["spec"]["template"]["spec"]["containers"][0]["env"]}
            field = env["OTEL_SERVICE_NAME"]["valueFrom"]["fieldRef"]["fieldPath"]
            label = field.removeprefix("metadata.labels['").removesuffix("']")
            assert o["spec"]["template"]["metadata"]["labels"][label].startswith("ywtb-")


def test_migration_jobs_are_hooks_and_services_do_not_migrate() -> None:
    objects = render("minimal")
    jobs = [o for o in objects if o["kind"] == "Job" and "migrate" in o["metadata"]["name"]]
    assert {j["metadata"]["name"] for j in jobs} == {f"ywtb-migrate-{c}" for c in WITH_DATABASE}
    assert {"identity", "catalog", "intake", "approval"} <= WITH_DATABASE
    for job in jobs:
        assert "pre-install" in job["metadata"]["annotations"]["helm.sh/hook"]
    for o in objects:
        if o["kind"] == "Deployment":
            env = {e["name"]: e.get("value") for e in o["spec"]["template"]["spec"]["containers"][0]["env"]}
            for name, value in env.items():
                if name.endswith("MIGRATE_ON_START"):
                    assert value == "false"


def test_kafka_sasl_credentials_come_from_the_secret() -> None:
    objects = render("production")
    topics = next(o for o in objects if o["kind"] == "Job" and o["metadata"]["name"].endswith("kafka-topics"))
    env = {e["name"]: e for e in topics["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["YWTB_KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "ywtb-kafka-prod"
    assert "--replication-factor" in topics["spec"]["template"]["spec"]["containers"][0]["args"]


# The chart's copies of files kept in deploy/ (tools/test_chart.sh compares the same list).
CHART_COPIES = ["deploy/topics.yaml", "deploy/components.yaml", "deploy/keycloak/realm-ywtb.json"]


@pytest.mark.parametrize("source", CHART_COPIES)
def test_chart_files_equal_their_sources(source: str) -> None:
    copy = CHART / "files" / source.rsplit("/", 1)[-1]
    assert copy.read_bytes() == (ROOT / source).read_bytes(), f"cp {source} {copy.relative_to(ROOT)}"


def test_chart_copies_are_the_ones_test_chart_sh_compares() -> None:
    assert f"for source in {' '.join(CHART_COPIES)}; do" in (ROOT / "tools" / "test_chart.sh").read_text()


# ---- breaking a policy in values turns the policy tests red


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("default.securityContext.runAsNonRoot=false", "runAsNonRoot is not true"),
        ("components.intake.securityContext.readOnlyRootFilesystem=false", "root filesystem is writable"),
        ("default.securityContext.capabilities.drop=null", "capabilities not all dropped"),
        ("components.catalog.resources.limits.cpu=null", "no limits.cpu"),
        ("components.approval.podDisruptionBudget.enabled=false", "no PodDisruptionBudget"),
        ("networkPolicy.enabled=false", "no NetworkPolicy"),
    ],
)
def test_breaking_a_policy_is_caught(override: str, expected: str) -> None:
    violations = all_violations(render("minimal", override))
    assert any(expected in v for v in violations), violations


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (["default.securityContext.runAsUser=0"], "runs as uid 0"),
        (["components.portal.securityContext.allowPrivilegeEscalation=true"], "allowPrivilegeEscalation"),
        (["default.securityContext.privileged=true"], "privileged"),
        (["components.approval.securityContext.capabilities.add={NET_ADMIN}"], "adds capabilities"),
        (
            ["default.securityContext.seccompProfile=null", "default.podSecurityContext.seccompProfile=null"],
            "no seccomp profile",
        ),
    ],
    ids=["uid-0", "privilege-escalation", "privileged", "added-capabilities", "seccomp"],
)
def test_breaking_a_security_rule_in_values_is_caught(overrides: list[str], expected: str) -> None:
    violations = security_violations(render("minimal", *overrides))
    assert violations and all(expected in v for v in violations), violations


@pytest.mark.parametrize(
    ("peers", "expected"),
    [
        ('postgresql.networkPeers=[{"ipBlock":{"cidr":"0.0.0.0/0"}}]', "allows egress to ipBlock 0.0.0.0/0"),
        ('kafka.networkPeers=[{"namespaceSelector":{}}]', "allows egress to every namespace"),
    ],
    ids=["ip-block", "namespace"],
)
def test_egress_to_everything_is_caught(peers: str, expected: str) -> None:
    violations = coverage_violations(render("minimal", set_json=(peers,)))
    assert violations and all(expected in v for v in violations), violations


def _container(objects: list[dict], deployment: str) -> dict:
    spec = next(s for where, s in pod_specs(objects) if where == f"Deployment/{deployment}")
    return spec["containers"][0]


def _unpinned_image(objects: list[dict]) -> None:
    _container(objects, "ywtb-intake")["image"] = "registry.example.gov.cn/ywtb/ywtb-intake:latest"


def _plain_secret(objects: list[dict]) -> None:
    _container(objects, "ywtb-gateway")["env"].append(
        {"name": "YWTB_GATEWAY_CLIENT_SECRET", "value": "hunter2"}
    )


def _no_probe(objects: list[dict]) -> None:
    del _container(objects, "ywtb-catalog")["readinessProbe"]


@pytest.mark.parametrize(
    ("check", "breaking", "expected"),
    [
        (image_violations, _unpinned_image, "ywtb-intake/intake: image"),
        (env_violations, _plain_secret, "YWTB_GATEWAY_CLIENT_SECRET is not read from a Secret"),
        (probe_violations, _no_probe, "ywtb-catalog/catalog: no readinessProbe"),
    ],
    ids=["image", "env", "probes"],
)
def test_breaking_a_rule_the_chart_cannot_express_is_caught(check, breaking, expected: str) -> None:
    """The values schema refuses these breaks (see below), so the render is broken after the fact."""
    objects = render("minimal")
    assert check(objects) == []
    breaking(objects)
    assert [v for v in check(objects) if expected in v], check(objects)


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("default.image.tag=latest", "image.tag"),
        ("components.gateway.env.YWTB_GATEWAY_CLIENT_SECRET=hunter2", "YWTB_GATEWAY_CLIENT_SECRET"),
        ("components.intake.bogus=1", "additional properties"),
        ("components.intake.port=1234", "additional properties"),
        (
            "components.nosuchcomponent.enabled=true",
            "components.nosuchcomponent is not a component of files/components.yaml",
        ),
    ],
)
def test_the_chart_refuses_unsafe_values(override: str, expected: str) -> None:
    with pytest.raises(RenderError, match=expected):
        render("minimal", override)
