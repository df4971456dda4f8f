"""Benchmark: sustained cases/s and latency of submit → accepted → approved for an instant item, on the local stack.

    make up   # PostgreSQL, Redis, Kafka, Keycloak
    set -a; . .run/stack.env; set +a
    uv run python e2e-tests/bench/case_bench.py [--cases 300] [--concurrency 8] [--json]

Starts every service on the local stack (fresh PostgreSQL databases, the shared Kafka) like `make up`
(tools/run_platform.py, ports shifted by YWTB_PORT_OFFSET, else 12040), then runs concurrent applicants
through the gateway over HTTP: upload the photo, submit 补领婚姻登记证 (an instant item, process
instant-default), the 民政 window clerk accepts, the approval service starts the workflow from
CaseAccepted on Kafka, the clerk claims and approves the single step. Beside the figures it measures
the raw ceilings on the same machine in the same run: pgbench simple inserts and Kafka's
ProducerPerformance; and the RSS of every platform process idle and at its peak under the load.
--json prints one JSON object (for tools/bench.py) instead of the text.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "e2e-tests"))
from conftest import PLATFORM_LOGS, _login, _platform  # noqa: E402
from ywtb.common.testing.demo import ID_NUMBER  # noqa: E402
from ywtb.common.testing.rss import PeakRss, mib, tree_rss  # noqa: E402

# Where the bench's platform listens: YWTB_PORT_OFFSET when set, else clear of `make run` / `make up`
# (offset 0) and of the e2e tests' platforms (12000-12030 + YWTB_E2E_PORT_OFFSET).
PORT_OFFSET = int(os.environ.get("YWTB_PORT_OFFSET") or 12040)

PHOTO = b"\x89PNG\r\n\x1a\n" + b"\0" * 2048
ITEM = "补领婚姻登记证"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def one_case(client: httpx.Client, citizen: dict, clerk: dict, item: dict, n: int) -> dict[str, float]:
    """One application through every step; seconds from submit to accepted and to approved."""
    form = {  # online, one applies in one's own name: the demo citizen 张三 (level 2)
        "applicant_name": "张三",
        "id_number": ID_NUMBER,
        "mobile": "13800000001",
        "certificate_type": "结婚证",
    }
    upload = client.post(
        "/api/v1/cases/materials", headers=citizen, files={"file": ("photo.png", PHOTO, "image/png")}
    )
    assert upload.status_code == 201, upload.text
    body = {
        "item_id": item["item_id"],
        "item_version": item["version"],
        "channel": "CHANNEL_ONLINE",
        "applicant": {
            "applicant_type": 1,
            "name": "张三",
            "id_type": "111",
            "id_number": form["id_number"],
            "contact_mobile": "13800000001",
        },
        "form_data": form,
        "materials": [{"material_name": "近期半身免冠照片", "file_ids": [upload.json()["id"]]}],
    }
    t0 = time.perf_counter()
    submitted = client.post(
        "/api/v1/cases", headers={**citizen, "Idempotency-Key": str(uuid.uuid4())}, json=body
    )
    t_submit = time.perf_counter()
    assert submitted.status_code == 201, submitted.text
    case_no = submitted.json()["case_no"]
    accepted = client.post(
        f"/api/v1/cases/{case_no}/accept",
        headers=clerk,
        json={"mode": "ACCEPTANCE_MODE_NORMAL", "opinion": "予以受理"},
    )
    assert accepted.status_code == 200, accepted.text
    t_accept = time.perf_counter()
    while True:
        tasks = client.get("/api/v1/tasks", headers=clerk, params={"case_no": case_no}).json()
        if tasks:
            break
        time.sleep(0.02)
    t_task = time.perf_counter()
    task = tasks[0]["task_id"]
    assert client.post(f"/api/v1/cases/{case_no}/tasks/{task}/claim", headers=clerk).status_code == 200
    done = client.post(
        f"/api/v1/cases/{case_no}/tasks/{task}/complete",
        headers=clerk,
        json={"opinion": "准予补领", "decision": "approve"},
    )
    assert done.status_code == 200 and done.json()["outcome"] == "DECISION_APPROVE", done.text
    t_done = time.perf_counter()
    return {
        "submit": t_submit - t0,
        "accepted": t_accept - t0,
        "workflow_started": t_task - t_accept,
        "approved": t_done - t0,
    }


def pgbench_tps(base_url: str) -> str:
    """pgbench with a simple-insert script against a scratch database."""
    url = make_url(base_url)
    database = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        scratch = create_engine(url.set(database=database))
        with scratch.begin() as conn:
            conn.execute(text("CREATE TABLE t (id bigserial primary key, case_no text, payload text)"))
        scratch.dispose()
        script = Path(tempfile.mkdtemp()) / "insert.sql"
        script.write_text(
            "INSERT INTO t (case_no, payload) VALUES ('510104202611210000001', repeat('x', 200));\n"
        )
        pgbench = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))[-1]
        env = {**os.environ, "PGPASSWORD": url.password or ""}
        out = subprocess.run(
            [
                pgbench,
                "-h",
                url.host,
                "-p",
                str(url.port),
                "-U",
                url.username,
                "-n",
                "-c",
                "8",
                "-j",
                "2",
                "-T",
                "10",
                "-f",
                str(script),
                database,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return re.search(r"tps = ([\d.]+)", out).group(1)  # type: ignore[union-attr]
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


TOOLS_POM = """<?xml version="1.0" encoding="UTF-8"?>
<!-- throwaway pom: Kafka's perf tools (kept off the broker's classpath) -->
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>local.ywtb</groupId><artifactId>kafka-tools-local</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies><dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId>
    <version>{version}</version></dependency></dependencies>
</project>
"""


def kafka_tools_classpath() -> str:
    """Kafka's tools jars (ProducerPerformance) for the broker's version, fetched once into .cache/."""
    broker_libs = sorted(glob.glob(str(ROOT / ".cache" / "kafka-[0-9]*" / "libs")))[-1]
    version = Path(broker_libs).parent.name.removeprefix("kafka-")
    tools = ROOT / ".cache" / f"kafka-tools-{version}"
    if not (tools / ".complete").exists():
        tools.mkdir(parents=True, exist_ok=True)
        (tools / "pom.xml").write_text(TOOLS_POM.format(version=version))
        subprocess.run(
            [
                "mvn",
                "-q",
                "-B",
                "-f",
                str(tools / "pom.xml"),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={tools / 'libs'}",
                "-DincludeScope=runtime",
            ],
            check=True,
        )
        (tools / ".complete").touch()
    return f"{tools / 'libs'}/*"


def kafka_producer_ceiling(bootstrap: str) -> str:
    """Kafka's own ProducerPerformance: 200,000 records of 500 bytes, acks=all, idempotent."""
    java = sorted(glob.glob("/usr/lib/jvm/*/bin/java"))[0]
    out = subprocess.run(
        [
            java,
            "-cp",
            kafka_tools_classpath(),
            "org.apache.kafka.tools.ProducerPerformance",
            "--topic",
            f"ywtb.bench.raw{uuid.uuid4().hex[:6]}.v1",
            "--num-records",
            "200000",
            "--record-size",
            "500",
            "--throughput",
            "-1",
            "--producer-props",
            f"bootstrap.servers={bootstrap}",
            "acks=all",
            "enable.idempotence=true",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip().splitlines()[-1]


def platform_processes(client: httpx.Client) -> dict[str, int]:
    """name -> pid of every process of the platform behind `client` (its RUN_DIR/processes.json)."""
    listing = json.loads((PLATFORM_LOGS[client].parent / "processes.json").read_text())
    return {p["name"]: p["pid"] for p in listing}


def rss_report(processes: dict[str, int], idle: dict[str, int], peak: PeakRss) -> dict[str, dict[str, float]]:
    """MiB idle and at peak of each process and of the whole platform."""
    report = {name: {"idle": mib(idle[name]), "peak": mib(peak.peaks[name])} for name in processes}
    report["total"] = {"idle": mib(sum(idle.values())), "peak": mib(peak.total)}
    return report


def idle_rss(processes: dict[str, int]) -> dict[str, int]:
    """Bytes resident of each process's tree now."""
    return {name: sum(tree_rss(pid).values()) for name, pid in processes.items()}


def run_cases(
    client: httpx.Client, cases: int, concurrency: int, citizen: str, clerk: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Warm up, then `cases` cases at `concurrency`: (figures, RSS of every platform process)."""
    citizen_headers = _login(client, citizen, "Demo2026ywtb")
    clerk_headers = _login(client, clerk, "Demo2026ywtb")
    hit = client.get("/api/v1/catalog/search", params={"q": ITEM}).json()["hits"][0]
    item = {"item_id": hit["item_id"], "version": hit["version"]}
    for n in range(5):  # warm-up
        one_case(client, citizen_headers, clerk_headers, item, n)
    processes = platform_processes(client)
    idle = idle_rss(processes)
    started = time.perf_counter()
    with PeakRss(processes) as peak, ThreadPoolExecutor(concurrency) as pool:
        results = list(
            pool.map(lambda n: one_case(client, citizen_headers, clerk_headers, item, n), range(cases))
        )
    elapsed = time.perf_counter() - started
    figures: dict[str, Any] = {
        "cases": cases,
        "concurrency": concurrency,
        "cases_per_s": round(cases / elapsed, 1),
    }
    for kind in ("submit", "accepted", "workflow_started", "approved"):
        ms = [r[kind] * 1000 for r in results]
        figures[kind] = {
            "p50_ms": round(pct(ms, 50), 1),
            "p99_ms": round(pct(ms, 99), 1),
            "mean_ms": round(statistics.mean(ms), 1),
        }
    return figures, rss_report(processes, idle, peak)


def print_rss(rss: dict[str, dict[str, float]]) -> None:
    """The RSS table: each process idle and at peak, then the whole platform."""
    for name, sizes in rss.items():
        print(f"  RSS {name:12s} idle {sizes['idle']:7.1f} MiB  peak under load {sizes['peak']:7.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json", action="store_true", help="print one JSON object (for tools/bench.py)")
    args = parser.parse_args()
    for name in ("YWTB_POSTGRES_URL", "YWTB_KAFKA_BOOTSTRAP"):
        if name not in os.environ:
            sys.exit(f"{name} is not set: run `make up`, then `set -a; . .run/stack.env; set +a`")
    prefix = f"bench_{uuid.uuid4().hex[:6]}"
    platform = _platform(Path(tempfile.mkdtemp()), "local", PORT_OFFSET, prefix)
    client = next(platform)
    try:
        figures, rss = run_cases(client, args.cases, args.concurrency, "13800000001", "jinjiang.clerk2")
    finally:
        platform.close()
        admin = create_engine(os.environ["YWTB_POSTGRES_URL"], isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in ("identity", "catalog", "intake", "approval"):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{prefix}_{name}" WITH (FORCE)'))
        admin.dispose()
    tps = float(pgbench_tps(os.environ["YWTB_POSTGRES_URL"]))
    kafka = kafka_producer_ceiling(os.environ["YWTB_KAFKA_BOOTSTRAP"])
    records = re.search(r"([\d.]+) records/sec", kafka)
    report = {
        "benchmark": "case_bench",
        **figures,
        "pgbench_tps": tps,
        "cases_per_s_per_1000_tps": round(figures["cases_per_s"] / tps * 1000, 2),
        "kafka_records_per_s": float(records.group(1)) if records else None,
        "kafka_producer_performance": kafka,
        "rss_mib": rss,
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return
    print(
        f"{args.cases} cases at concurrency {args.concurrency}: {figures['cases_per_s']:.1f} cases/s sustained "
        f"(each case = 7 HTTP calls through the gateway, 2 Kafka events, 4 services)"
    )
    for kind in ("submit", "accepted", "workflow_started", "approved"):
        f = figures[kind]
        print(
            f"  {kind:17s} p50 {f['p50_ms']:7.1f} ms  p99 {f['p99_ms']:7.1f} ms  mean {f['mean_ms']:7.1f} ms"
        )
    print_rss(rss)
    print(
        f"raw ceiling, pgbench simple insert (8 clients, 10 s): {tps:.0f} tps; "
        f"{report['cases_per_s_per_1000_tps']:.2f} cases/s per 1,000 tps"
    )
    print(f"raw ceiling, Kafka ProducerPerformance: {kafka}")


if __name__ == "__main__":
    main()
