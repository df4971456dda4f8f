"""Benchmark: resident memory of the whole embedded platform (`make run`), idle and under a case load.

    uv run python e2e-tests/bench/platform_rss_bench.py [--cases 60] [--concurrency 4] [--json]

Starts tools/run_platform.py on the embedded default (SQLite, embedded event log, built-in issuer) in a
fresh data directory, ports shifted by YWTB_PORT_OFFSET (else 12040), waits until it is idle, samples
the RSS of every process (and of the supervisor), then runs case_bench.py's case flow (upload, submit,
accept, claim, approve) through the gateway and keeps each process's peak. Target: the whole platform
fits comfortably in 2 GiB. --json prints one JSON object (for tools/bench.py).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from case_bench import PORT_OFFSET, platform_processes, print_rss, run_cases

from conftest import _platform
from ywtb.common.testing.rss import GIB, PeakRss, mib, parent_pid, rss_bytes, tree_rss

SETTLE_S = 5.0  # after start-up: the seed jobs and first index builds are done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--json", action="store_true", help="print one JSON object (for tools/bench.py)")
    args = parser.parse_args()
    platform = _platform(Path(tempfile.mkdtemp()), "embedded", PORT_OFFSET, "unused")
    client = next(platform)
    try:
        time.sleep(SETTLE_S)
        processes = platform_processes(client)
        supervisor = parent_pid(processes["gateway"])  # tools/run_platform.py: its tree is the platform
        idle_total, idle_supervisor = sum(tree_rss(supervisor).values()), rss_bytes(supervisor)
        with PeakRss({"platform": supervisor}) as whole:
            figures, rss = run_cases(client, args.cases, args.concurrency, "13800000001", "jinjiang.clerk2")
    finally:
        platform.close()
    rss["supervisor"] = {"idle": mib(idle_supervisor)}
    rss["total"] = {"idle": mib(idle_total), "peak": mib(whole.total)}
    report = {
        "benchmark": "platform_rss_bench",
        "stack": "embedded",
        "idle_total_mib": mib(idle_total),
        "peak_total_mib": rss["total"]["peak"],
        "target_mib": mib(2 * GIB),
        "load": figures,
        "rss_mib": rss,
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return
    print(f"embedded platform: {len(processes)} processes + the supervisor (tools/run_platform.py)")
    print_rss({k: v for k, v in rss.items() if k not in ("supervisor", "total")})
    print(f"  RSS supervisor   idle {rss['supervisor']['idle']:7.1f} MiB")
    print_rss({"total": rss["total"]})
    print(
        f"under load: {figures['cases']} cases at concurrency {figures['concurrency']}, "
        f"{figures['cases_per_s']:.1f} cases/s on the embedded default"
    )
    verdict = "pass" if max(report["idle_total_mib"], report["peak_total_mib"]) <= 2048 else "miss"
    print(
        f"whole platform: idle {report['idle_total_mib']:.0f} MiB, peak {report['peak_total_mib']:.0f} MiB "
        f"(target ≤ 2048 MiB: {verdict})"
    )


if __name__ == "__main__":
    main()
