"""Benchmark: the approval service's write path against Flowable 7 (embedded), same PostgreSQL, same BPMN files.

    uv run --frozen python services/approval/bench/engine_bench.py [--instances 300] [--threads 1,2] [--json]

For each process (instant-default, promised-default) and thread count, N instances are started and
every user task is claimed and completed (approve on decision steps) until the instance ends: through
the approval service's own use cases in this process (ApprovalService.start_case in a transaction, as
the CaseAccepted consumer does; claim_task and complete_task, as the gRPC handlers do), and right after
on Flowable (flowable/FlowableBench.java, one JVM kept running) with the same files. Each side gets its own
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
    """One measured run of one engine: instances, wall time and completion latency percentiles."""

    process: str
    threads: int
    instances: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def per_s(self) -> float:
        return self.instances / self.seconds


def percentile_ms(latencies_ns: list[int], pct: float) -> float:
    """Nearest-rank percentile of completion latencies, as FlowableBench computes it."""
    ordered = sorted(latencies_ns)
    if not ordered:
        return 0.0
    return ordered[max(math.ceil(pct / 100 * len(ordered)), 1) - 1] / 1e6


def median_run(runs: list[Run]) -> Run:
    """The run of median throughput (the lower middle one of an even count)."""
    return sorted(runs, key=lambda run: run.per_s)[(len(runs) - 1) // 2]


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
    latencies = [x for mine in per_thread for x in mine]
    return Run(process, threads, count, seconds, percentile_ms(latencies, 50), percentile_ms(latencies, 99))


def verify_ywtb(service: ApprovalService, prefix: str, count: int) -> None:
    """Every measured case was approved and completed (the gateway routed on the decision)."""
    for n in range(count):
        instance = service.get_case(STAFF, f"{prefix}{n:06d}").instance
        if (instance.status, instance.outcome) != ("completed", "approved"):
            raise SystemExit(
                f"case {instance.case_no}: {instance.status}/{instance.outcome}, expected approved"
            )


class YwtbSide:
    """The approval service in this process, on a migrated scratch database."""

    def __init__(self, url: URL, instances: int, warmup: int) -> None:
        rendered = url.render_as_string(hide_password=False)
        upgrade(script_location_of("ywtb.approval"), rendered)
        self.db = Database(rendered)
        self.service = ApprovalService(self.db)
        self.instances, self.warmup = instances, warmup
        self.run_id = uuid.uuid4().hex[:6]
        self.rounds = itertools.count()

    def warm(self, process: str, threads: int, count: int) -> None:
        """Unmeasured cases, before the first measured run."""
        ywtb_run(self.service, process, count, threads, f"B{self.run_id}-s{next(self.rounds)}-{process[:4]}-")

    def measure(self, process: str, threads: int) -> Run:
        """A warm-up, then one measured run, checked."""
        prefix = f"B{self.run_id}-r{next(self.rounds)}-{process[:4]}-t{threads}-"
        ywtb_run(self.service, process, self.warmup, threads, prefix + "w")
        run = ywtb_run(self.service, process, self.instances, threads, prefix)
        verify_ywtb(self.service, prefix, self.instances)
        return run

    def close(self) -> None:
        self.db.dispose()


# --- Flowable -----------------------------------------------------------------------------------


def build_harness() -> None:
    """mvn package the harness into .cache/ when the jar is missing or older than its sources."""
    sources = [FLOWABLE_DIR / "pom.xml", *FLOWABLE_DIR.rglob("*.java")]
    if JAR.exists() and JAR.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
        return
    log("building the Flowable harness (mvn -q -B package) ...")
    subprocess.run(["mvn", "-q", "-B", "package"], cwd=FLOWABLE_DIR, check=True)


class FlowableSide:
    """FlowableBench in one JVM on its scratch database, asked for one run at a time over stdin."""

    def __init__(self, url: URL, instances: int, warmup: int, jvm_opts: str) -> None:
        jdbc = f"jdbc:postgresql://{url.host}:{url.port or 5432}/{url.database}"
        command = ["java", *shlex.split(jvm_opts), "-jar", str(JAR), "--serve", "stdin", "--jdbc", jdbc]
        command += ["--user", url.username or "", "--password", url.password or ""]
        command += ["--instances", str(instances), "--warmup", str(warmup)]
        for process in PROCESSES:
            command += ["--bpmn", str(default_processes_dir() / f"{process}.bpmn")]
        self.jvm = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.ready = self._line("ready")

    def _line(self, event: str) -> dict[str, Any]:
        """The harness's next JSON line, which must be of this event."""
        assert self.jvm.stdout is not None
        for line in self.jvm.stdout:
            if line.startswith("{"):
                fields: dict[str, Any] = json.loads(line)
                if fields["event"] != event:
                    raise SystemExit(f"the Flowable harness said {line.strip()}, expected {event}")
                return fields
        raise SystemExit(f"the Flowable harness ended (exit {self.jvm.wait()}) before its {event} line")

    def warm(self, process: str, threads: int, count: int) -> None:
        """Unmeasured instances, before the first measured run (the JIT compiles the hot paths)."""
        assert self.jvm.stdin is not None
        self.jvm.stdin.write(f"warm {process} {threads} {count}\n")
        self.jvm.stdin.flush()
        self._line("warm")

    def measure(self, process: str, threads: int) -> Run:
        """A warm-up, then one measured run, checked by the harness."""
        assert self.jvm.stdin is not None
        self.jvm.stdin.write(f"run {process} {threads}\n")
        self.jvm.stdin.flush()
        fields = self._line("run")
        return Run(
            process, threads, fields["instances"], fields["seconds"], fields["p50_ms"], fields["p99_ms"]
        )

    def close(self) -> dict[str, Any]:
        """Stop the JVM; its last line (resident memory)."""
        assert self.jvm.stdin is not None
        self.jvm.stdin.write("quit\n")
        self.jvm.stdin.close()
        done = self._line("done")
        if self.jvm.wait(timeout=60) != 0:
            raise SystemExit(f"the Flowable harness failed (exit {self.jvm.returncode})")
        return done


# --- report -------------------------------------------------------------------------------------


def proc_status(field: str) -> int:
    """A size field (VmRSS, VmHWM) of this process's /proc status, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def measured_commit() -> str:
    """The last commit of the approval sources (+dirty when the work tree differs from it)."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()

    source = "services/approval/src"
    commit = git("log", "-1", "--format=%h", "--", source) or "unknown"
    return commit + ("+dirty" if git("status", "--porcelain", "--", source) else "")


def row(mine: Run, theirs: Run) -> dict[str, Any]:
    """Both engines' figures for one process and thread count."""
    return {
        "process": mine.process,
        "threads": mine.threads,
        "ywtb_per_s": round(mine.per_s, 2),
        "flowable_per_s": round(theirs.per_s, 2),
        "ratio": round(mine.per_s / theirs.per_s, 3),
        "ywtb_p50_ms": round(mine.p50_ms, 2),
        "ywtb_p99_ms": round(mine.p99_ms, 2),
        "flowable_p50_ms": round(theirs.p50_ms, 2),
        "flowable_p99_ms": round(theirs.p99_ms, 2),
    }


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
    parser.add_argument("--instances", type=int, default=300, help="measured instances per run")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured instances before each run")
    parser.add_argument(
        "--warmup-start", type=int, default=200, help="unmeasured instances of each process before all runs"
    )
    parser.add_argument("--rounds", type=int, default=1, help="runs of each; the median one is reported")
    parser.add_argument("--jvm-opts", default="", help="extra JVM options for the Flowable harness")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(",") if t.strip()]
    warmup = min(args.warmup, args.instances)
    start_warmup = min(args.warmup_start, 2 * args.instances)
    admin_url = make_url(os.environ.get("YWTB_POSTGRES_URL") or sys.exit("YWTB_POSTGRES_URL is not set"))
    commit = measured_commit()  # now: the sources this process imports
    build_harness()
    runs: dict[tuple[str, int], tuple[list[Run], list[Run]]] = {}
    with (
        scratch_database(admin_url, "flow_ywtb_") as ywtb_url,
        scratch_database(admin_url, "flow_flowable_") as flowable_url,
    ):
        ywtb = YwtbSide(ywtb_url, args.instances, warmup)
        flowable = FlowableSide(flowable_url, args.instances, warmup, args.jvm_opts)
        try:
            for process in PROCESSES:
                ywtb.warm(process, max(threads), start_warmup)
                flowable.warm(process, max(threads), start_warmup)
            # Interleaved: each process and thread count on one engine, then at once on the other.
            for _ in range(args.rounds):
                for process in PROCESSES:
                    for t in threads:
                        mine, theirs = runs.setdefault((process, t), ([], []))
                        mine.append(ywtb.measure(process, t))
                        theirs.append(flowable.measure(process, t))
                        log(
                            f"{process:17} threads={t}: ywtb {mine[-1].per_s:7.1f}/s, "
                            f"flowable {theirs[-1].per_s:7.1f}/s"
                        )
        except BaseException:
            flowable.jvm.kill()
            raise
        finally:
            ywtb.close()
        done = flowable.close()
    mib = 1024 * 1024
    table_rows = [row(median_run(mine), median_run(theirs)) for mine, theirs in runs.values()]
    result = {
        # The headline: the row where ywtb fares worst against Flowable (lowest ratio).
        **min(table_rows, key=lambda r: r["ratio"]),
        "bench": "approval-engine-vs-flowable",
        "commit": commit,
        "flowable_version": flowable.ready["flowable_version"],
        "instances": args.instances,
        "warmup": warmup,
        "warmup_start": start_warmup,
        "rounds": args.rounds,
        "rows": table_rows,
        "rss": {
            "python_mib": round(proc_status("VmRSS") / mib, 1),
            "python_peak_mib": round(proc_status("VmHWM") / mib, 1),
            "jvm_mib": round(done["rss_bytes"] / mib, 1),
            "jvm_peak_mib": round(done["peak_rss_bytes"] / mib, 1),
        },
    }
    print(json.dumps(result, ensure_ascii=False) if args.json else table(result))


if __name__ == "__main__":
    main()
