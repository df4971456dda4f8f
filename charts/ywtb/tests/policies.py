"""Policy checks over rendered Kubernetes objects; each returns the list of violations (empty = compliant)."""

from __future__ import annotations

import re

SECRET_NAME = re.compile(r"(^|_)(KEY|SECRET|PASSWORD|TOKEN)(_|$)|DATABASE_URL|REDIS_URL", re.IGNORECASE)
WORKLOADS = {"Deployment", "Job", "StatefulSet", "DaemonSet"}


def pod_specs(objects: list[dict]) -> list[tuple[str, dict]]:
    """(kind/name, pod spec) of every workload."""
    return [
        (f"{o['kind']}/{o['metadata']['name']}", o["spec"]["template"]["spec"])
        for o in objects
        if o["kind"] in WORKLOADS
    ]


def containers(objects: list[dict]) -> list[tuple[str, dict, dict]]:
    """(kind/name/container, container, pod spec) of every container, init containers included."""
    return [
        (f"{where}/{c['name']}", c, spec)
        for where, spec in pod_specs(objects)
        for c in spec.get("initContainers", []) + spec["containers"]
    ]


def _effective(container: dict, pod: dict, field: str):
    value = (container.get("securityContext") or {}).get(field)
    return value if value is not None else (pod.get("securityContext") or {}).get(field)


def security_violations(objects: list[dict]) -> list[str]:
    bad = []
    for where, c, pod in containers(objects):
        sc = c.get("securityContext") or {}
        if _effective(c, pod, "runAsNonRoot") is not True:
            bad.append(f"{where}: runAsNonRoot is not true")
        if _effective(c, pod, "runAsUser") == 0:  # not `or`: uid 0 is falsy
            bad.append(f"{where}: runs as uid 0")
        if sc.get("readOnlyRootFilesystem") is not True:
            bad.append(f"{where}: root filesystem is writable")
        if sc.get("allowPrivilegeEscalation") is not False:
            bad.append(f"{where}: allowPrivilegeEscalation is not false")
        if sc.get("privileged"):
            bad.append(f"{where}: privileged")
        if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
            bad.append(f"{where}: capabilities not all dropped")
        if (sc.get("capabilities") or {}).get("add"):
            bad.append(f"{where}: adds capabilities")
        seccomp = (_effective(c, pod, "seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            bad.append(f"{where}: no seccomp profile")
    return bad


def resource_violations(objects: list[dict]) -> list[str]:
    bad = []
    for where, c, _ in containers(objects):
        res = c.get("resources") or {}
        for kind in ("requests", "limits"):
            for name in ("cpu", "memory"):
                if not (res.get(kind) or {}).get(name):
                    bad.append(f"{where}: no {kind}.{name}")
    return bad


def image_violations(objects: list[dict]) -> list[str]:
    bad = []
    for where, c, _ in containers(objects):
        image = c.get("image", "")
        last = image.rsplit("/", 1)[-1]
        if "@sha256:" in image:
            continue
        if ":" not in last or last.endswith(":latest") or last.endswith(":"):
            bad.append(f"{where}: image {image!r} has no pinned tag")
    return bad


def env_violations(objects: list[dict]) -> list[str]:
    bad = []
    for where, c, _ in containers(objects):
        for env in c.get("env") or []:
            if SECRET_NAME.search(env["name"]) and "secretKeyRef" not in (env.get("valueFrom") or {}):
                bad.append(f"{where}: {env['name']} is not read from a Secret (secretKeyRef)")
        if c.get("envFrom"):
            for src in c["envFrom"]:
                if "configMapRef" in src:
                    bad.append(f"{where}: envFrom a ConfigMap may carry secrets")
    return bad


def probe_violations(objects: list[dict]) -> list[str]:
    bad = []
    for o in objects:
        if o["kind"] != "Deployment":
            continue
        for c in o["spec"]["template"]["spec"]["containers"]:
            for probe in ("livenessProbe", "readinessProbe"):
                if not c.get(probe):
                    bad.append(f"Deployment/{o['metadata']['name']}/{c['name']}: no {probe}")
    return bad


def _selects(selector: dict, labels: dict) -> bool:
    """A label selector (matchLabels / matchExpressions In, NotIn, Exists, DoesNotExist) matches labels."""
    if not selector:
        return True
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        ok = {
            "In": labels.get(key) in values,
            "NotIn": labels.get(key) not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[op]
        if not ok:
            return False
    return True


def _anywhere(peer: dict) -> str:
    """Why a NetworkPolicy peer admits everything ("" when it does not): all addresses or all namespaces."""
    cidr = (peer.get("ipBlock") or {}).get("cidr", "")
    if cidr.endswith("/0"):
        return f"ipBlock {cidr}"
    if "namespaceSelector" in peer and not peer["namespaceSelector"] and not peer.get("podSelector"):
        return "every namespace"
    return ""


def coverage_violations(objects: list[dict]) -> list[str]:
    """Every Deployment's pods are selected by a PodDisruptionBudget and by an allowing NetworkPolicy."""
    bad = []
    pdbs = [o for o in objects if o["kind"] == "PodDisruptionBudget"]
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    for o in objects:
        if o["kind"] != "Deployment":
            continue
        name = o["metadata"]["name"]
        labels = o["spec"]["template"]["metadata"]["labels"]
        if not _selects(o["spec"]["selector"], labels):
            bad.append(f"Deployment/{name}: its selector does not match its pod labels")
        if not any(_selects(p["spec"]["selector"], labels) for p in pdbs):
            bad.append(f"Deployment/{name}: no PodDisruptionBudget")
        mine = [p for p in policies if _selects(p["spec"]["podSelector"], labels)]
        if not any({"Ingress", "Egress"} <= set(p["spec"].get("policyTypes", [])) for p in mine):
            bad.append(f"Deployment/{name}: no NetworkPolicy restricting ingress and egress")
        for p in mine:
            for rule in p["spec"].get("ingress") or []:
                if not rule.get("from"):
                    bad.append(f"Deployment/{name}: {p['metadata']['name']} allows ingress from anywhere")
            for rule in p["spec"].get("egress") or []:
                if not rule.get("to"):
                    bad.append(f"Deployment/{name}: {p['metadata']['name']} allows egress to anywhere")
                for peer in rule.get("to") or []:
                    if why := _anywhere(peer):
                        bad.append(f"Deployment/{name}: {p['metadata']['name']} allows egress to {why}")
    return bad


ALL_CHECKS = (
    security_violations,
    resource_violations,
    image_violations,
    env_violations,
    probe_violations,
    coverage_violations,
)


def all_violations(objects: list[dict]) -> list[str]:
    return [v for check in ALL_CHECKS for v in check(objects)]
