"""Resident memory (RSS) of processes and process trees, read from /proc (Linux), for the benchmarks."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

PROC = Path("/proc")
MIB = 1024 * 1024
GIB = 1024 * MIB


def rss_bytes(pid: int) -> int:
    """The process's resident set size in bytes (VmRSS); 0 when it is gone or a zombie."""
    try:
        status = (PROC / str(pid) / "status").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process (field 4 of /proc/<pid>/stat, after the parenthesised name)."""
    parents = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        parents[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    return parents


def parent_pid(pid: int) -> int:
    """The parent's pid of `pid` (0 when it is gone)."""
    return _parents().get(pid, 0)


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (pid first, then breadth first)."""
    children: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    tree, index = [pid], 0
    while index < len(tree):
        tree += sorted(children.get(tree[index], []))
        index += 1
    return tree


def tree_rss(pid: int) -> dict[int, int]:
    """RSS in bytes of `pid` and of each of its descendants, by pid (processes that are gone omitted)."""
    sizes = {p: rss_bytes(p) for p in process_tree(pid)}
    return {p: size for p, size in sizes.items() if size}


def total_rss(pids: Iterable[int]) -> int:
    """The summed RSS in bytes of each pid's whole tree (a pid inside another's tree counted once)."""
    seen: dict[int, int] = {}
    for pid in pids:
        seen.update(tree_rss(pid))
    return sum(seen.values())


def mib(size: int) -> float:
    """Bytes as MiB, one decimal."""
    return round(size / MIB, 1)


class PeakRss:
    """Samples the RSS of named process trees in a background thread; keeps each one's peak.

    `with PeakRss({"gateway": pid}) as peak: ...` then `peak.peaks["gateway"]` (bytes, the tree's sum)
    and `peak.total` (the highest sum over all trees seen in one sample). Names in `alone` count their
    process without its descendants (a benchmark measuring itself beside the servers it started)."""

    def __init__(self, pids: dict[str, int], interval_s: float = 0.2, alone: Iterable[str] = ()) -> None:
        self.pids = dict(pids)
        self.alone = frozenset(alone)
        self.interval_s = interval_s
        self.peaks = dict.fromkeys(self.pids, 0)
        self.total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def sample(self) -> dict[str, int]:
        """One sample now: each tree's RSS by name; updates the peaks."""
        now = {
            name: rss_bytes(pid) if name in self.alone else sum(tree_rss(pid).values())
            for name, pid in self.pids.items()
        }
        for name, size in now.items():
            self.peaks[name] = max(self.peaks[name], size)
        self.total = max(self.total, sum(now.values()))
        return now

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.sample()

    def __enter__(self) -> PeakRss:
        self.sample()
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
