"""Benchmark: the approval service's write path against Flowable 7 (embedded), same PostgreSQL, same BPMN files.

    uv run --frozen python services/approval/bench/engine_bench.py [--instances 300] [--threads 1,2] [--json]

For each process (instant-default, promised-default) and thread count, N instances are started and
every user task is claimed and completed (approve on decision steps) until the instance ends: first
through the approval service's own use cases in this process (ApprovalService.start_case in a
transaction, as the CaseAccepted consumer does; claim_task and complete_task, as the gRPC handlers do),
then on Flowable (flowable/FlowableBench.java, one JVM) with the same files. Each side gets its own
scratch database (flow_*) on the local stack's PostgreSQL, dropped afterwards. Prints instances/s of
each, the ratio ywtb/Flowable, the completion latency p50/p99 of each and the RSS of both processes;
--json prints one JSON object instead (see README.md). Needs the stack env (.run/stack.env).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import shlex
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from ywtb.approval.events import AcceptedCase
from ywtb.approval.library import default_processes_dir
from ywtb.approval.service import ApprovalService
from ywtb.common.auth.principal import Principal
from ywtb.common.clock import utc_now
from ywtb.common.db import Database
from ywtb.common.migrations import script_location_of, upgrade

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
FLOWABLE_DIR = HERE / "flowable"
JAR = REPO / ".cache" / "flowable-bench" / "flowable-bench.jar"
PROCESSES = ("instant-default", "promised-default")
TENANT, DEPT = "510104", "11510104MB3234567X"
# One staff member of the handling department holding both candidate roles (窗口人员 and 审批人员),
# as Flowable's side uses one user: every task of both processes is theirs to claim.
STAFF = Principal(
    subject="clerk-1",
    tenant=TENANT,
    roles=frozenset({"window_clerk", "approver"}),
    dept=DEPT,
    name="李受理",
)


@dataclass(frozen=True)
class Run:
    """One measured run of one engine: wall time and each completion's latency (ns)."""

    process: str
    threads: int
    instances: int
    seconds: float
    latencies_ns: list[int]

    @property
    def per_s(self) -> float:
        return self.instances / self.seconds

    def percentile_ms(self, pct: float) -> float:
        """Nearest-rank percentile of completion latency, as FlowableBench computes it."""
        ordered = sorted(self.latencies_ns)
        if not ordered:
            return 0.0
        rank = max(math.ceil(pct / 100 * len(ordered)), 1)
        return ordered[rank - 1] / 1e6


# --- scratch databases ------------------------------------------------------------------------


@contextmanager
def scratch_database(admin_url: URL, prefix: str) -> Iterator[URL]:
    """A new empty database on the stack's PostgreSQL, dropped afterwards."""
    name = f"{prefix}{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- ywtb: the approval service's own use cases -----------------------------------------------


def accepted_case(case_no: str, process: str) -> AcceptedCase:
    """What intake's CaseAccepted carries for a new case of this process."""
    return AcceptedCase(
        case_no=case_no,
        tenant=TENANT,
        dept=DEPT,
        item_id="ITEM-1",
        item_version=1,
        process=process,
        accepted_at=utc_now(),
        promised_days=5,
        promised_date=None,
        applicant="citizen-1",
    )


def run_case(service: ApprovalService, case_no: str, process: str, latencies: list[int]) -> None:
    """Start one case as the consumer does, then claim and complete its tasks until it ends."""
    with service.db.transaction() as session:
        service.start_case(session, accepted_case(case_no, process), f"evt-{case_no}")
    while views := service.list_tasks(STAFF, case_no):
        for view in views:
            task = view.task
            service.claim_task(STAFF, case_no, task.task_id)
            decision = "approve" if task.decision_required else None
            start = time.perf_counter_ns()
            service.complete_task(STAFF, case_no, task.task_id, "材料齐全，同意", decision)
            latencies.append(time.perf_counter_ns() - start)


def ywtb_run(service: ApprovalService, process: str, count: int, threads: int, prefix: str) -> Run:
    """`count` cases of a process on `threads` threads, timed."""
    numbers = itertools.count()
    per_thread: list[list[int]] = [[] for _ in range(threads)]

    def work(latencies: list[int]) -> None:
        while (n := next(numbers)) < count:
            run_case(service, f"{prefix}{n:06d}", process, latencies)

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(work, mine) for mine in per_thread]:
            future.result()
    seconds = time.perf_counter() - start
    return Run(process, threads, count, seconds, [x for mine in per_thread for x in mine])


def verify_ywtb(service: ApprovalService, prefix: str, count: int) -> None:
    """Every measured case was approved and completed (the gateway routed on the decision)."""
    for n in range(count):
        instance = service.get_case(STAFF, f"{prefix}{n:06d}").instance
        if (instance.status, instance.outcome) != ("completed", "approved"):
            raise SystemExit(
                f"case {instance.case_no}: {instance.status}/{instance.outcome}, expected approved"
            )


def ywtb_side(url: URL, instances: int, threads: list[int], warmup: int) -> list[Run]:
    """Every process × thread count on the approval service in this process (migrated scratch database)."""
    rendered = url.render_as_string(hide_password=False)
    upgrade(script_location_of("ywtb.approval"), rendered)
    db = Database(rendered)
    service = ApprovalService(db)
    run_id = uuid.uuid4().hex[:6]
    runs = []
    try:
        for process in PROCESSES:
            for t in threads:
                prefix = f"B{run_id}-{process[:4]}-t{t}-"
                ywtb_run(service, process, warmup, t, prefix + "w")
                run = ywtb_run(service, process, instances, t, prefix)
                verify_ywtb(service, prefix, instances)
                runs.append(run)
                log(f"ywtb     {process:17} threads={t}: {run.per_s:8.1f}/s")
    finally:
        db.dispose()
    return runs


# --- Flowable -----------------------------------------------------------------------------------


def build_harness() -> None:
    """mvn package the harness into .cache/ when the jar is missing or older than its sources."""
    sources = [FLOWABLE_DIR / "pom.xml", *FLOWABLE_DIR.rglob("*.java")]
    if JAR.exists() and JAR.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
        return
    log("building the Flowable harness (mvn -q -B package) ...")
    subprocess.run(["mvn", "-q", "-B", "package"], cwd=FLOWABLE_DIR, check=True)


def flowable_side(
    url: URL, instances: int, threads: list[int], warmup: int, jvm_opts: str
) -> tuple[list[Run], dict[Any, Any]]:
    """Every process × thread count on Flowable in one JVM; its runs and its ready/done lines."""
    jdbc = f"jdbc:postgresql://{url.host}:{url.port or 5432}/{url.database}"
    command = ["java", *shlex.split(jvm_opts), "-jar", str(JAR), "--jdbc", jdbc]
    command += ["--user", url.username or "", "--password", url.password or ""]
    command += [
        "--instances",
        str(instances),
        "--warmup",
        str(warmup),
        "--threads",
        ",".join(map(str, threads)),
    ]
    for process in PROCESSES:
        command += ["--bpmn", str(default_processes_dir() / f"{process}.bpmn")]
    runs: list[Run] = []
    facts: dict[Any, Any] = {}  # (process, threads) -> its run line; "ready", "done" -> those lines
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as jvm:
        assert jvm.stdout is not None
        for line in jvm.stdout:
            if not line.startswith("{"):
                continue
            fields = json.loads(line)
            if fields["event"] == "run":
                run = Run(fields["process"], fields["threads"], fields["instances"], fields["seconds"], [])
                facts[(run.process, run.threads)] = fields
                runs.append(run)
                log(f"flowable {run.process:17} threads={run.threads}: {run.per_s:8.1f}/s")
            else:
                facts[fields["event"]] = fields
    if jvm.returncode != 0:
        raise SystemExit(f"the Flowable harness failed (exit {jvm.returncode})")
    return runs, facts


# --- report -------------------------------------------------------------------------------------


def proc_status(field: str) -> int:
    """A size field (VmRSS, VmHWM) of this process's /proc status, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def measured_commit() -> str:
    """HEAD, with +dirty when the approval service's sources differ from it."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+dirty" if git("status", "--porcelain", "--", "services/approval/src") else "")


def rows(ywtb: list[Run], flowable: list[Run], facts: dict[Any, Any]) -> list[dict[str, Any]]:
    """One row per process and thread count with both engines' figures."""
    theirs = {(r.process, r.threads): r for r in flowable}
    out = []
    for mine in ywtb:
        other = theirs[(mine.process, mine.threads)]
        fields = facts[(mine.process, mine.threads)]
        out.append(
            {
                "process": mine.process,
                "threads": mine.threads,
                "ywtb_per_s": round(mine.per_s, 2),
                "flowable_per_s": round(other.per_s, 2),
                "ratio": round(mine.per_s / other.per_s, 3),
                "ywtb_p50_ms": round(mine.percentile_ms(50), 2),
                "ywtb_p99_ms": round(mine.percentile_ms(99), 2),
                "flowable_p50_ms": round(fields["p50_ms"], 2),
                "flowable_p99_ms": round(fields["p99_ms"], 2),
            }
        )
    return out


def table(result: dict[str, Any]) -> str:
    """The human-readable report."""
    lines = [
        f"approval engine vs Flowable {result['flowable_version']} — {result['instances']} instances per run, "
        f"commit {result['commit']}",
        f"{'process':17} {'thr':>3} {'ywtb/s':>8} {'flowable/s':>10} {'ratio':>6}  "
        f"{'ywtb p50/p99 ms':>17}  {'flowable p50/p99 ms':>19}",
    ]
    for row in result["rows"]:
        lines.append(
            f"{row['process']:17} {row['threads']:>3} {row['ywtb_per_s']:>8.1f} {row['flowable_per_s']:>10.1f} "
            f"{row['ratio']:>6.2f}  {row['ywtb_p50_ms']:>8.1f}/{row['ywtb_p99_ms']:<8.1f}  "
            f"{row['flowable_p50_ms']:>9.1f}/{row['flowable_p99_ms']:<9.1f}"
        )
    rss = result["rss"]
    lines.append(
        f"RSS: python {rss['python_mib']} MiB (peak {rss['python_peak_mib']}), "
        f"JVM {rss['jvm_mib']} MiB (peak {rss['jvm_peak_mib']})"
    )
    return "\n".join(lines)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--instances", type=int, default=300, help="measured instances per process and thread count"
    )
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument(
        "--warmup", type=int, default=20, help="unmeasured instances before each run (both engines)"
    )
    parser.add_argument("--jvm-opts", default="", help="extra JVM options for the Flowable harness")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(",") if t.strip()]
    warmup = min(args.warmup, args.instances)
    admin_url = make_url(os.environ.get("YWTB_POSTGRES_URL") or sys.exit("YWTB_POSTGRES_URL is not set"))
    build_harness()
    with scratch_database(admin_url, "flow_ywtb_") as url:
        ywtb = ywtb_side(url, args.instances, threads, warmup)
    python_rss, python_peak = proc_status("VmRSS"), proc_status("VmHWM")
    with scratch_database(admin_url, "flow_flowable_") as url:
        flowable, facts = flowable_side(url, args.instances, threads, warmup, args.jvm_opts)
    mib = 1024 * 1024
    result = {
        "bench": "approval-engine-vs-flowable",
        "commit": measured_commit(),
        "flowable_version": facts["ready"]["flowable_version"],
        "instances": args.instances,
        "warmup": warmup,
        "rows": rows(ywtb, flowable, facts),
        "rss": {
            "python_mib": round(python_rss / mib, 1),
            "python_peak_mib": round(python_peak / mib, 1),
            "jvm_mib": round(facts["done"]["rss_bytes"] / mib, 1),
            "jvm_peak_mib": round(facts["done"]["peak_rss_bytes"] / mib, 1),
        },
    }
    print(json.dumps(result, ensure_ascii=False) if args.json else table(result))


if __name__ == "__main__":
    main()
