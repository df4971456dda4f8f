"""Benchmark: citizen search and guide reads through the real gateway over HTTP, on ~10,000 published items.

    uv run python services/catalog/bench/gateway_bench.py [--tenants 121] [--requests 2000] [--concurrency 4] [--json]

The sample catalogue's 83 implementations are replicated across Sichuan's counties (real GB/T 2260
codes) and published through the catalog service's own use cases (claim → edit → submit → approve →
publish) on SQLite (kept in .cache/bench/ for the next run); the catalog gRPC server, the gateway
(uvicorn) and this HTTP client run as three processes. Prints p50/p99 per kind, throughput and the RSS
of each process idle and at peak under load; --json prints one JSON object instead.
guide_read_bench.py reuses the set-up (catalog_process, gateway_process).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
from pypinyin import Style, lazy_pinyin
from sqlalchemy import text

from ywtb.api.catalog.v1 import catalog_pb2_grpc
from ywtb.catalog.cache import LocalGuideCache
from ywtb.catalog.grpc_api import CatalogServicer
from ywtb.catalog.importer import CatalogueFile, load_catalogue, sample_path
from ywtb.catalog.reads import GuideReads
from ywtb.catalog.search import SearchIndex
from ywtb.catalog.seed import seed_catalogue
from ywtb.catalog.service import CatalogService
from ywtb.common.codes import make_credit_code, region_level, region_table
from ywtb.common.db import Database
from ywtb.common.grpc import build_server, server_port
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.common.testing.rss import PeakRss, mib, rss_bytes, tree_rss

CACHE = Path(__file__).resolve().parents[3] / ".cache" / "bench"
DEFAULT_PORT = 18900 + int(os.environ.get("YWTB_PORT_OFFSET", "0"))


def expanded_catalogue(sample: CatalogueFile, tenants: int) -> CatalogueFile:
    """The sample's implementations replicated across `tenants` Sichuan counties, one department set each."""
    counties = sorted(c for c in region_table() if c.startswith("51") and region_level(c) == "county")
    departments, implementations = [], []
    for county in counties[:tenants]:
        dept_codes = {}
        for n, dept in enumerate(sample.departments):
            code = make_credit_code(f"11{county}MB{n:07d}")
            dept_codes[dept.credit_code] = code
            departments.append(replace(dept, tenant=county, credit_code=code))
        implementations += [
            replace(i, tenant=county, dept=dept_codes[i.dept]) for i in sample.implementations
        ]
    return CatalogueFile(
        meta=sample.meta,
        releases=sample.releases[:1],
        departments=departments,
        implementations=implementations,
        bundles=[],
    )


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def queries(names: list[str], rng: random.Random, n: int) -> list[dict[str, str]]:
    """Mixed citizen queries: Chinese, pinyin, initials, one-character typos, with and without filters."""
    out = []
    for _ in range(n):
        name = rng.choice(names)
        kind = rng.choice(["chinese", "pinyin", "initials", "typo", "filtered"])
        if kind == "chinese":
            q = name[: rng.randint(2, len(name))]
        elif kind == "pinyin":
            q = "".join(lazy_pinyin(name[:4]))
        elif kind == "initials":
            q = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER))[:5]
        elif kind == "typo":
            i = rng.randrange(len(name))
            q = name[:i] + "的" + name[i + 1 :]
        else:
            q = name[:3]
        params = {"q": q, "page_size": "10"}
        if kind == "filtered":
            params["service_object"] = rng.choice(["natural_person", "legal_person"])
        out.append(params)
    return out


@dataclass
class Catalog:
    """A seeded catalog service served over gRPC (by `pid`; `server` when that is this process);
    `catalogue` is what was seeded, or the sample it repeats when served by another process."""

    catalogue: CatalogueFile
    published: int
    target: str
    key: str
    pid: int
    server: Any = None


def seeded_catalog(work: Path, tenants: int, quiet: bool = False, fresh: bool = False) -> Catalog:
    """Publish the expanded sample catalogue on SQLite in `work` and serve it over gRPC on a free port.

    Seeding 10,000 items takes minutes: the seeded database is kept in .cache/bench/ (keyed by the
    sample file and the tenant count) and copied on the next run unless `fresh`."""
    database = work / "catalog.db"
    digest = hashlib.sha256(sample_path().read_bytes()).hexdigest()[:12]
    cached = CACHE / f"catalog-{tenants}-{digest}.db"
    if cached.exists() and not fresh:
        shutil.copyfile(cached, database)
    url = f"sqlite:///{database}"
    upgrade(script_location_of("ywtb.catalog"), url)
    db = Database(url)
    reads = GuideReads(db, LocalGuideCache(max_items=20000), SearchIndex(), ttl_s=3600)
    service = CatalogService(
        db, reads, province_tenant="510000", code_pattern="{basic_code}{region_code}{credit_code}"
    )
    catalogue = expanded_catalogue(load_catalogue(sample_path()), tenants)
    started = time.perf_counter()
    counts = seed_catalogue(service, catalogue)  # idempotent: counts what is published when cached
    with db.engine.connect() as conn:
        published = conn.execute(text("SELECT count(DISTINCT item_id) FROM item_versions")).scalar_one()
    if not quiet:
        print(f"{published} items published ({time.perf_counter() - started:.1f} s)", flush=True)
    if counts["published"]:
        CACHE.mkdir(parents=True, exist_ok=True)
        source, copy = sqlite3.connect(database), sqlite3.connect(cached)
        source.backup(copy)  # WAL included
        source.close()
        copy.close()
    reads.rebuild_index()
    key = secrets.token_urlsafe(32)
    server = build_server(
        [(catalog_pb2_grpc.add_CatalogServiceServicer_to_server, CatalogServicer(service))],
        port=0,
        host="127.0.0.1",
        signing_key=key.encode(),
        service_name="ywtb.catalog",
    )
    server.start()
    return Catalog(catalogue, published, f"127.0.0.1:{server_port(server)}", key, os.getpid(), server)


@contextmanager
def catalog_process(work: Path, tenants: int, fresh: bool = False) -> Iterator[Catalog]:
    """seeded_catalog served by a process of its own (this file with --serve-catalog), so that the
    benchmark's clients do not share the server's interpreter (and its GIL); stopped on exit."""
    command = [sys.executable, __file__, "--serve-catalog", str(work), "--tenants", str(tenants)]
    server = subprocess.Popen(
        [*command, *(["--fresh"] if fresh else [])], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        served = json.loads(server.stdout.readline() or "{}")
        if not served:
            raise SystemExit(f"the catalog server did not start (exit {server.wait()})")
        sample = load_catalogue(sample_path())  # the names of every county's items (not 10,000 copies)
        yield Catalog(sample, served["published"], served["target"], served["key"], server.pid)
    finally:
        if server.stdin is not None:
            server.stdin.close()  # EOF: the server stops
        server.wait(30)


def serve_catalog(work: Path, tenants: int, fresh: bool) -> None:
    """--serve-catalog: serve seeded_catalog, print {published, target, key}, stop at EOF on stdin."""
    catalog = seeded_catalog(work, tenants, quiet=True, fresh=fresh)
    print(
        json.dumps({"published": catalog.published, "target": catalog.target, "key": catalog.key}), flush=True
    )
    sys.stdin.read()
    catalog.server.stop(0)


@contextmanager
def gateway_process(
    catalog: Catalog, work: Path, port: int, log_level: str = "INFO"
) -> Iterator[tuple[httpx.Client, int]]:
    """The gateway (python -m ywtb.gateway, its log in work/gateway.log) in front of `catalog`:
    (an HTTP client of it, its pid); stopped on exit."""
    env = {
        **os.environ,
        "YWTB_GATEWAY_INTERNAL_SIGNING_KEY": catalog.key,
        "YWTB_GATEWAY_DATA_DIR": str(work),
        "YWTB_GATEWAY_HTTP_PORT": str(port),
        "YWTB_GATEWAY_LOG_LEVEL": log_level,
        "YWTB_GATEWAY_CATALOG_TARGET": catalog.target,
    }
    with (work / "gateway.log").open("w") as log:
        gateway = subprocess.Popen([sys.executable, "-m", "ywtb.gateway"], env=env, stdout=log, stderr=log)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                for _ in range(150):
                    try:
                        if client.get("/healthz").status_code == 200:
                            break
                    except httpx.HTTPError:
                        time.sleep(0.2)
                else:
                    raise SystemExit(
                        f"the gateway did not start: {(work / 'gateway.log').read_text()[-2000:]}"
                    )
                yield client, gateway.pid
        finally:
            gateway.terminate()
            gateway.wait(10)


def latency(ms: list[float]) -> dict[str, float]:
    """p50, p99 and mean of latencies in ms, rounded to 0.01 ms."""
    return {
        "p50_ms": round(percentile(ms, 50), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "mean_ms": round(statistics.mean(ms), 2),
        "n": len(ms),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=121, help="counties (121 x 83 = 10,043 items)")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="18900 + YWTB_PORT_OFFSET")
    parser.add_argument(
        "--log-level", default="INFO", help="the gateway's (INFO: its access log, as deployed)"
    )
    parser.add_argument("--fresh", action="store_true", help="seed again instead of the cached database")
    parser.add_argument("--json", action="store_true", help="print one JSON object (for tools/bench.py)")
    parser.add_argument("--serve-catalog", type=Path, help=argparse.SUPPRESS)  # catalog_process's child
    args = parser.parse_args()
    if args.serve_catalog:
        serve_catalog(args.serve_catalog, args.tenants, args.fresh)
        return
    work = Path(tempfile.mkdtemp(prefix="ywtb-bench-"))
    with (
        catalog_process(work, args.tenants, args.fresh) as catalog,
        gateway_process(catalog, work, args.port, args.log_level) as (client, gateway_pid),
    ):
        hits = client.get("/api/v1/catalog/search", params={"q": "登记", "page_size": "100"}).json()["hits"]
        names = sorted(
            {h["name"] for h in hits} | {i.guide["name"] for i in catalog.catalogue.implementations[:83]}
        )
        item_ids = [h["item_id"] for h in hits]
        rng = random.Random(7)
        plan = [("search", "/api/v1/catalog/search", p) for p in queries(names, rng, args.requests)]
        plan += [
            ("guide", f"/api/v1/catalog/items/{rng.choice(item_ids)}/guide", {}) for _ in range(args.requests)
        ]
        rng.shuffle(plan)

        def call(entry):  # type: ignore[no-untyped-def]
            kind, path, params = entry
            t0 = time.perf_counter()
            response = client.get(path, params=params)
            assert response.status_code == 200, response.text
            return kind, (time.perf_counter() - t0) * 1000

        for entry in plan[:100]:  # warm-up
            call(entry)
        processes = {"gateway": gateway_pid, "catalog server": catalog.pid, "bench client": os.getpid()}
        idle = {name: sum(tree_rss(pid).values()) for name, pid in processes.items()}
        idle["bench client"] = rss_bytes(os.getpid())  # itself, without the servers it started
        started = time.perf_counter()
        with PeakRss(processes, alone={"bench client"}) as peak, ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(call, plan))
        elapsed = time.perf_counter() - started
    report = {
        "benchmark": "gateway_bench",
        "items": catalog.published,
        "requests": len(plan),
        "concurrency": args.concurrency,
        "requests_per_s": round(len(plan) / elapsed, 1),
        **{kind: latency([t for k, t in results if k == kind]) for kind in ("search", "guide")},
        "rss_mib": {name: {"idle": mib(idle[name]), "peak": mib(peak.peaks[name])} for name in processes},
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return
    print(
        f"items: {report['items']}; requests: {len(plan)} at concurrency {args.concurrency}; "
        f"{report['requests_per_s']:.0f} requests/s"
    )
    for kind in ("search", "guide"):
        f = report[kind]
        print(
            f"{kind:7s} p50 {f['p50_ms']:6.1f} ms  p99 {f['p99_ms']:6.1f} ms  mean {f['mean_ms']:6.1f} ms  (n={f['n']})"
        )
    for name, rss in report["rss_mib"].items():
        print(f"RSS {name}: idle {rss['idle']:.0f} MiB, peak under load {rss['peak']:.0f} MiB")


if __name__ == "__main__":
    main()
