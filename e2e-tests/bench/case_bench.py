"""Benchmark: sustained cases/s and latency of submit → accepted → approved for an instant item, on the local stack.

    make up   # PostgreSQL, Redis, Kafka, Keycloak
    uv run python e2e-tests/bench/case_bench.py [--cases 300] [--concurrency 8]

Starts every service on the local stack (fresh PostgreSQL databases, the shared Kafka) like `make up`,
then runs concurrent applicants through the gateway over HTTP: upload the photo, submit 补领婚姻登记证
(an instant item, process instant-default), the 民政 window clerk accepts, the approval service starts
the workflow from CaseAccepted on Kafka, the clerk claims and approves the single step. Beside the
figures it measures the raw ceilings on the same machine in the same run: pgbench simple inserts and
Kafka's ProducerPerformance.
"""

from __future__ import annotations

import argparse
import glob
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

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "e2e-tests"))
from conftest import _login, _platform  # noqa: E402
from ywtb.common.pii import id_check_char  # noqa: E402

PHOTO = b"\x89PNG\r\n\x1a\n" + b"\0" * 2048
ITEM = "补领婚姻登记证"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def one_case(client: httpx.Client, citizen: dict, clerk: dict, item: dict, n: int) -> dict[str, float]:
    """One application through every step; seconds from submit to accepted and to approved."""
    id17 = f"510104199{n % 10}0101{n % 1000:03d}"
    form = {
        "applicant_name": "测试申请人",
        "id_number": id17 + id_check_char(id17),
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
            "name": "测试申请人",
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    for name in ("YWTB_POSTGRES_URL", "YWTB_KAFKA_BOOTSTRAP"):
        if name not in os.environ:
            sys.exit(f"{name} is not set: run `make up`, then `set -a; . .run/stack.env; set +a`")
    prefix = f"bench_{uuid.uuid4().hex[:6]}"
    platform = _platform(Path(tempfile.mkdtemp()), "local", 18002, 53060, prefix)
    client = next(platform)
    try:
        citizen, clerk = (
            _login(client, "13800000001", "Demo2026ywtb"),
            _login(client, "jinjiang.clerk2", "Demo2026ywtb"),
        )
        hit = client.get("/api/v1/catalog/search", params={"q": ITEM}).json()["hits"][0]
        item = {"item_id": hit["item_id"], "version": hit["version"]}
        for n in range(5):  # warm-up
            one_case(client, citizen, clerk, item, n)
        started = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(lambda n: one_case(client, citizen, clerk, item, n), range(args.cases)))
        elapsed = time.perf_counter() - started
        print(
            f"{args.cases} cases at concurrency {args.concurrency}: {args.cases / elapsed:.1f} cases/s sustained "
            f"(each case = 7 HTTP calls through the gateway, 2 Kafka events, 4 services)"
        )
        for kind in ("submit", "accepted", "workflow_started", "approved"):
            ms = [r[kind] * 1000 for r in results]
            print(
                f"  {kind:17s} p50 {pct(ms, 50):7.1f} ms  p99 {pct(ms, 99):7.1f} ms  mean {statistics.mean(ms):7.1f} ms"
            )
    finally:
        platform.close()
        admin = create_engine(os.environ["YWTB_POSTGRES_URL"], isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in ("identity", "catalog", "intake", "approval"):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{prefix}_{name}" WITH (FORCE)'))
        admin.dispose()
    print(
        f"raw ceiling, pgbench simple insert (8 clients, 10 s): {pgbench_tps(os.environ['YWTB_POSTGRES_URL'])} tps"
    )
    print(
        f"raw ceiling, Kafka ProducerPerformance: {kafka_producer_ceiling(os.environ['YWTB_KAFKA_BOOTSTRAP'])}"
    )


if __name__ == "__main__":
    main()
