"""RSS sampling of process trees from /proc (ywtb.common.testing.rss)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from ywtb.common.testing.rss import MIB, PeakRss, parent_pid, process_tree, rss_bytes, total_rss, tree_rss

# A child that holds ~64 MiB resident, and a grandchild holding ~32 MiB.
HOLD = "import time; block = bytearray({mib} * 1024 * 1024); block[::4096] = b'x' * len(block[::4096]); "
HOLDER = (
    HOLD.format(mib=64) + "import subprocess, sys; "
    f"grand = subprocess.Popen([sys.executable, '-c', {HOLD.format(mib=32) + 'time.sleep(60)'!r}]); "
    "time.sleep(1); print(grand.pid, flush=True); time.sleep(60)"
)


def test_a_tree_is_the_process_and_its_descendants_with_their_memory() -> None:
    child = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        grandchild = int(child.stdout.readline())
        tree = process_tree(child.pid)
        assert tree[0] == child.pid and grandchild in tree and os.getpid() not in tree
        assert parent_pid(grandchild) == child.pid and parent_pid(child.pid) == os.getpid()
        sizes = tree_rss(child.pid)
        assert sizes[child.pid] > 64 * MIB > sizes[grandchild] > 32 * MIB
        assert abs(total_rss([child.pid, grandchild]) - total_rss([child.pid])) < 8 * MIB  # counted once
        with PeakRss({"holder": child.pid}, interval_s=0.05) as peak:
            time.sleep(0.2)
        assert peak.peaks["holder"] >= sizes[child.pid] and peak.total == peak.peaks["holder"]
        with PeakRss({"holder": child.pid}, alone={"holder"}) as alone:
            pass
        assert 64 * MIB < alone.peaks["holder"] < peak.peaks["holder"] - 16 * MIB  # no grandchild
    finally:
        child.kill()
        child.wait()
    time.sleep(0.1)
    assert rss_bytes(child.pid) == 0 and tree_rss(child.pid) == {}
