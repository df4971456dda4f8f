"""Benchmark: a guide read through the gateway (HTTP) beside the same gRPC call made directly, side by side.

    uv run python services/catalog/bench/guide_read_bench.py [--tenants 121] [--requests 3000] [--concurrency 4] [--json]

One catalog gRPC server (a process of its own, ~10,000 published items, as gateway_bench.py seeds them)
and one gateway process in front of it; the clients run in this process. The same guide ids in the same order are read both ways at the same
concurrency: `GET /api/v1/catalog/items/{id}/guide` through the gateway, and CatalogService.GetGuide
on a ywtb.common.grpc channel (what the services use). The two are measured in alternating rounds so
that neither gets the quieter minutes. Prints p50/p99 of each, the ratio of the p99s (target: ≤ 3)
and the RSS of the gateway and of this process, idle and at peak; --json prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gateway_bench import DEFAULT_PORT, catalog_process, gateway_process, latency

from ywtb.api.catalog.v1 import catalog_pb2 as pb
from ywtb.api.catalog.v1.catalog_pb2_grpc import CatalogServiceStub
from ywtb.common.grpc import channel
from ywtb.common.testing.rss import PeakRss, mib, rss_bytes, tree_rss

TARGET_RATIO = 3.0
ROUNDS = 6


def timed(call: Callable[[str], None], ids: list[str], concurrency: int) -> list[float]:
    """Latency in ms of call(id) for each id, `concurrency` at a time."""

    def one(item_id: str) -> float:
        t0 = time.perf_counter()
        call(item_id)
        return (time.perf_counter() - t0) * 1000

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, ids))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=121, help="counties (121 x 83 = 10,043 items)")
    parser.add_argument("--requests", type=int, default=3000, help="guide reads each way")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT + 1, help="18901 + YWTB_PORT_OFFSET")
    parser.add_argument(
        "--log-level", default="INFO", help="the gateway's (INFO: its access log, as deployed)"
    )
    parser.add_argument("--fresh", action="store_true", help="seed again instead of the cached database")
    parser.add_argument("--json", action="store_true", help="print one JSON object (for tools/bench.py)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ywtb-bench-"))
    with (
        catalog_process(work, args.tenants, args.fresh) as catalog,
        gateway_process(catalog, work, args.port, args.log_level) as (client, gateway_pid),
    ):
        stub = CatalogServiceStub(channel(catalog.target, signing_key=catalog.key.encode()))
        hits = stub.SearchItems(pb.SearchItemsRequest(query="登记", page_size=100)).hits
        rng = random.Random(7)
        ids = [rng.choice([h.item_id for h in hits]) for _ in range(args.requests)]

        def through_gateway(item_id: str) -> None:
            response = client.get(f"/api/v1/catalog/items/{item_id}/guide")
            assert response.status_code == 200, response.text

        def direct(item_id: str) -> None:
            stub.GetGuide(pb.GetGuideRequest(item_id=item_id))

        timed(through_gateway, ids[:200], args.concurrency)  # warm-up
        timed(direct, ids[:200], args.concurrency)
        processes = {"gateway": gateway_pid, "catalog server": catalog.pid, "bench clients": os.getpid()}
        idle = {name: sum(tree_rss(pid).values()) for name, pid in processes.items()}
        idle["bench clients"] = rss_bytes(os.getpid())  # itself, without the servers it started
        gateway_ms: list[float] = []
        direct_ms: list[float] = []
        chunk = -(-len(ids) // ROUNDS)
        with PeakRss(processes, alone={"bench clients"}) as peak:
            for n in range(ROUNDS):
                part = ids[n * chunk : (n + 1) * chunk]
                first, second = (direct, through_gateway) if n % 2 == 0 else (through_gateway, direct)
                for way in (first, second):
                    (direct_ms if way is direct else gateway_ms).extend(timed(way, part, args.concurrency))
    via, raw = latency(gateway_ms), latency(direct_ms)
    ratio = round(via["p99_ms"] / raw["p99_ms"], 2)
    report = {
        "benchmark": "guide_read_bench",
        "items": catalog.published,
        "requests_each_way": len(ids),
        "concurrency": args.concurrency,
        "gateway": via,
        "direct": raw,
        "p99_ratio": ratio,
        "p50_ratio": round(via["p50_ms"] / raw["p50_ms"], 2),
        "target_ratio": TARGET_RATIO,
        "rss_mib": {name: {"idle": mib(idle[name]), "peak": mib(peak.peaks[name])} for name in processes},
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return
    print(f"items: {catalog.published}; {len(ids)} guide reads each way at concurrency {args.concurrency}")
    for name, f in (("gateway (HTTP)", via), ("direct gRPC", raw)):
        print(
            f"  {name:15s} p50 {f['p50_ms']:6.2f} ms  p99 {f['p99_ms']:6.2f} ms  mean {f['mean_ms']:6.2f} ms"
        )
    verdict = "pass" if ratio <= TARGET_RATIO else "miss"
    print(f"  p99 gateway / direct = {ratio:.2f} (target ≤ {TARGET_RATIO:.0f}: {verdict})")
    for name, rss in report["rss_mib"].items():
        print(f"RSS {name}: idle {rss['idle']:.0f} MiB, peak under load {rss['peak']:.0f} MiB")


if __name__ == "__main__":
    main()
