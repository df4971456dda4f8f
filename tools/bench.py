"""make bench: run every benchmark (each with --json) and print one table of figures against their targets.

    uv run python tools/bench.py [--only case,guide,...] [--quick] [--out artifacts/bench.json]

The case and engine benches need the local stack (`make up`'s PostgreSQL, Kafka, Redis, Keycloak): it is started
through deploy/local/up.sh, as tools/test.sh does, only when it is not running. The approval engine
bench (services/approval/bench/engine_bench.py, ywtb beside Flowable) runs when it exists. Each
benchmark's own JSON lands in --out with the table's rows; the exit status is 0 even when a target is
missed (the table says so): benchmarks measure, tests judge.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
STACK_ENV = ROOT / ".run" / "stack.env"
GIB_MIB = 2048.0


def bench_commands(quick: bool) -> dict[str, list[str]]:
    """name -> the benchmark's command line (--json); --quick trims the request counts."""
    q = quick
    commands = {
        "case": ["e2e-tests/bench/case_bench.py", "--cases", "100" if q else "300"],
        "platform_rss": ["e2e-tests/bench/platform_rss_bench.py", "--cases", "20" if q else "60"],
        "guide": ["services/catalog/bench/guide_read_bench.py", "--requests", "1000" if q else "3000"],
        "gateway": ["services/catalog/bench/gateway_bench.py", "--requests", "500" if q else "2000"],
        "search": ["services/catalog/bench/search_bench.py", "--queries", "500" if q else "2000"],
        "engine": ["services/approval/bench/engine_bench.py", *(["--instances", "100"] if q else [])],
    }
    return {name: [*command, "--json"] for name, command in commands.items()}


def stack_env() -> dict[str, str]:
    """The local stack's variables from .run/stack.env (written by deploy/local/up.sh)."""
    values = {}
    for line in STACK_ENV.read_text().splitlines() if STACK_ENV.exists() else ():
        line = line.strip().removeprefix("export ").strip()
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            values[name] = value.strip("'\"")
    return values


def reachable(url: str) -> bool:
    """True when host:port of the URL accepts a TCP connection."""
    parts = urlsplit(url if "//" in url else f"tcp://{url}")
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=1):
            return True
    except OSError:
        return False


def ensure_stack() -> dict[str, str]:
    """The local stack's environment, starting it (deploy/local/up.sh) only when it is not running."""
    env = stack_env()
    needed = ("YWTB_POSTGRES_URL", "YWTB_KAFKA_BOOTSTRAP")
    if not all(env.get(n) and reachable(env[n].split(",")[0]) for n in needed):
        print("bench: the local stack is not running; starting it (deploy/local/up.sh)", file=sys.stderr)
        subprocess.run(["bash", "deploy/local/up.sh"], cwd=ROOT, check=True)
        env = stack_env()
    return env


def run_bench(name: str, command: list[str], env: dict[str, str]) -> dict[str, Any] | None:
    """Run one benchmark; its final JSON line, or None when it failed (its output is shown)."""
    print(f"bench: {name}: {' '.join(command)}", file=sys.stderr, flush=True)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, *command], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=False
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        print(f"bench: {name} failed (exit {done.returncode}):\n{done.stdout[-3000:]}", file=sys.stderr)
        return None
    print(f"bench: {name} done in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    result: dict[str, Any] = json.loads(lines[-1])
    return result


Row = tuple[str, str, float | None, str, Callable[[float], bool] | None]


def rows(results: dict[str, dict[str, Any] | None]) -> list[Row]:
    """(benchmark, figure, value, target, check) of every figure the table shows."""
    out: list[Row] = []

    def add(name: str, figure: str, path: tuple[str | int, ...], target: str = "", check: Any = None) -> None:
        value: Any = results.get(name)
        for key in path:
            if isinstance(key, int):
                value = value[key] if isinstance(value, list) and key < len(value) else None
            else:
                value = value.get(key) if isinstance(value, dict) else None
        out.append((name, figure, value if isinstance(value, int | float) else None, target, check))

    add("case", "cases/s sustained (local stack)", ("cases_per_s",), "≥ 100", lambda v: v >= 100)
    add("case", "cases/s per 1,000 pgbench TPS", ("cases_per_s_per_1000_tps",), "≥ 3", lambda v: v >= 3)
    add("case", "submit p99 ms", ("submit", "p99_ms"), "≤ 200", lambda v: v <= 200)
    add("case", "approved p99 ms", ("approved", "p99_ms"))
    add("case", "pgbench simple-insert TPS", ("pgbench_tps",))
    add("case", "Kafka producer records/s", ("kafka_records_per_s",))
    add("case", "platform RSS peak MiB (local)", ("rss_mib", "total", "peak"))
    add("guide", "guide p99 gateway / direct", ("p99_ratio",), "≤ 3", lambda v: v <= 3)
    add("guide", "guide p99 ms via gateway", ("gateway", "p99_ms"))
    add("guide", "guide p99 ms direct gRPC", ("direct", "p99_ms"))
    add("guide", "gateway RSS peak MiB", ("rss_mib", "gateway", "peak"))
    engine = results.get("engine") or {}
    for n, row in enumerate(engine.get("rows") or [{}]):  # one row per (process, threads)
        label = f"{row.get('process', '?')} x{row.get('threads', '?')}"
        add("engine", f"ywtb / Flowable {label}", ("rows", n, "ratio"), "≥ 1.0", lambda v: v >= 1.0)
        add("engine", f"ywtb instances/s {label}", ("rows", n, "ywtb_per_s"))
        add("engine", f"Flowable instances/s {label}", ("rows", n, "flowable_per_s"))
        add("engine", f"ywtb p99 ms {label}", ("rows", n, "ywtb_p99_ms"))
    add("engine", "RSS peak MiB python (ywtb)", ("rss", "python_peak_mib"))
    add("engine", "RSS peak MiB JVM (Flowable)", ("rss", "jvm_peak_mib"))
    add("platform_rss", "embedded RSS idle MiB", ("idle_total_mib",), "≤ 2048", lambda v: v <= GIB_MIB)
    add("platform_rss", "embedded RSS peak MiB", ("peak_total_mib",), "≤ 2048", lambda v: v <= GIB_MIB)
    add("gateway", "search p99 ms via gateway", ("search", "p99_ms"))
    add("gateway", "guide p99 ms via gateway (mixed)", ("guide", "p99_ms"))
    add("gateway", "requests/s (search + guide)", ("requests_per_s",))
    add("search", "search index p99 ms", ("p99_ms",))
    add("search", "search index queries/s", ("queries_per_s",))
    return out


def table(results: dict[str, dict[str, Any] | None]) -> str:
    """The figures as one text table: value, target and pass / miss (— without a target)."""
    lines = [f"{'benchmark':13s} {'figure':40s} {'value':>10s}  {'target':8s} result", "-" * 82]
    for name, figure, value, target, check in rows(results):
        if name not in results:
            continue
        shown = ("failed" if results[name] is None else "—") if value is None else f"{value:10.2f}"
        verdict = "—" if check is None else ("miss" if value is None or not check(value) else "pass")
        lines.append(f"{name:13s} {figure:40s} {shown:>10s}  {target:8s} {verdict}")
    return "\n".join(lines)


def main() -> None:
    commands = bench_commands("--quick" in sys.argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help=f"comma-separated subset of {','.join(commands)}")
    parser.add_argument("--quick", action="store_true", help="fewer requests and cases (a smoke run)")
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "bench.json")
    parser.add_argument("--table-from", type=Path, help="print the table of an earlier run's --out file")
    args = parser.parse_args()
    if args.table_from:
        print(table(json.loads(args.table_from.read_text())["results"]))
        return
    chosen = [n for n in commands if not args.only or n in args.only.split(",")]
    env = {**os.environ}
    if {"case", "engine"} & set(chosen):  # both on the local stack's PostgreSQL (and Kafka)
        env.update({k: v for k, v in ensure_stack().items() if k not in os.environ})
    results: dict[str, dict[str, Any] | None] = {}
    for name in chosen:
        if not (ROOT / commands[name][0]).exists():
            print(f"bench: {name}: {commands[name][0]} does not exist; skipped", file=sys.stderr)
            continue
        results[name] = run_bench(name, commands[name], env)
    text = table(results)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    args.out.write_text(
        json.dumps(
            {"commit": commit.stdout.strip(), "results": results, "table": text}, ensure_ascii=False, indent=1
        )
    )


if __name__ == "__main__":
    main()
