"""Benchmark: citizen search and guide reads through the real gateway over HTTP, on ~10,000 published items.

    uv run python services/catalog/bench/gateway_bench.py [--tenants 121] [--requests 2000] [--concurrency 4]

The sample catalogue's 83 implementations are replicated across Sichuan's counties (real GB/T 2260
codes) and published through the catalog service's own use cases (claim → edit → submit → approve →
publish) on SQLite; the catalog gRPC server runs in this process, the gateway runs as its own process
(uvicorn), and an HTTP client measures latency. Prints p50/p99 per kind and throughput.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import httpx
from pypinyin import Style, lazy_pinyin

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=121, help="counties (121 x 83 = 10,043 items)")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--port", type=int, default=18900)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ywtb-bench-"))
    url = f"sqlite:///{work / 'catalog.db'}"
    upgrade(script_location_of("ywtb.catalog"), url)
    db = Database(url)
    reads = GuideReads(db, LocalGuideCache(max_items=20000), SearchIndex(), ttl_s=3600)
    service = CatalogService(
        db, reads, province_tenant="510000", code_pattern="{basic_code}{region_code}{credit_code}"
    )
    catalogue = expanded_catalogue(load_catalogue(sample_path()), args.tenants)
    started = time.perf_counter()
    counts = seed_catalogue(service, catalogue)
    print(f"published {counts['published']} items in {time.perf_counter() - started:.1f} s", flush=True)
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
    env = {
        **os.environ,
        "YWTB_GATEWAY_INTERNAL_SIGNING_KEY": key,
        "YWTB_GATEWAY_DATA_DIR": str(work),
        "YWTB_GATEWAY_HTTP_PORT": str(args.port),
        "YWTB_GATEWAY_LOG_LEVEL": "WARNING",
        "YWTB_GATEWAY_CATALOG_TARGET": f"127.0.0.1:{server_port(server)}",
    }
    gateway = subprocess.Popen([sys.executable, "-m", "ywtb.gateway"], env=env)
    base = f"http://127.0.0.1:{args.port}"
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            for _ in range(100):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            hits = client.get("/api/v1/catalog/search", params={"q": "登记", "page_size": "100"}).json()[
                "hits"
            ]
            names = sorted(
                {h["name"] for h in hits} | {i.guide["name"] for i in catalogue.implementations[:83]}
            )
            item_ids = [h["item_id"] for h in hits]
            rng = random.Random(7)
            plan = [("search", "/api/v1/catalog/search", p) for p in queries(names, rng, args.requests)]
            plan += [
                ("guide", f"/api/v1/catalog/items/{rng.choice(item_ids)}/guide", {})
                for _ in range(args.requests)
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
            started = time.perf_counter()
            with ThreadPoolExecutor(args.concurrency) as pool:
                results = list(pool.map(call, plan))
            elapsed = time.perf_counter() - started
        print(
            f"items: {counts['published']}; requests: {len(plan)} at concurrency {args.concurrency}; "
            f"{len(plan) / elapsed:.0f} requests/s"
        )
        for kind in ("search", "guide"):
            ms = [t for k, t in results if k == kind]
            print(
                f"{kind:7s} p50 {percentile(ms, 50):6.1f} ms  p99 {percentile(ms, 99):6.1f} ms  "
                f"mean {statistics.mean(ms):6.1f} ms  (n={len(ms)})"
            )
    finally:
        gateway.terminate()
        gateway.wait(10)
        server.stop(0)


if __name__ == "__main__":
    main()
