"""The embedded event log: a SQLite file shared by local processes, with Kafka's contract.

Topics have partitions; a key always lands in the same partition, so per-key order holds.
Consumer groups commit offsets; partitions are leased to live group members (a member that
dies loses its leases when they expire), so redelivery after a crash is at-least-once.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid
import zlib
from base64 import b64decode, b64encode
from collections.abc import Mapping
from math import ceil

from ywtb.common.events.bus import (
    CommitFailed,
    Delivery,
    DeliveryCallback,
    EventBus,
    Headers,
    PublishRejected,
    Record,
    Start,
    Subscription,
)

LEASE_SECONDS = 10.0
REFRESH_SECONDS = 1.0
MAX_TOPIC_LENGTH = 249

_SCHEMA = """
CREATE TABLE IF NOT EXISTS topics (name TEXT PRIMARY KEY, partitions INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS records (
  topic TEXT NOT NULL, partition INTEGER NOT NULL, "offset" INTEGER NOT NULL,
  key TEXT, value BLOB NOT NULL, headers TEXT NOT NULL, ts REAL NOT NULL,
  PRIMARY KEY (topic, partition, "offset"));
CREATE TABLE IF NOT EXISTS offsets (
  grp TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
  PRIMARY KEY (grp, topic, partition));
CREATE TABLE IF NOT EXISTS members (grp TEXT NOT NULL, member TEXT NOT NULL, expires REAL NOT NULL,
  PRIMARY KEY (grp, member));
CREATE TABLE IF NOT EXISTS leases (
  grp TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, member TEXT NOT NULL,
  expires REAL NOT NULL, PRIMARY KEY (grp, topic, partition));
"""


def partition_for(key: str, partitions: int) -> int:
    """The partition a key always lands in."""
    return zlib.crc32(key.encode("utf-8")) % partitions


def _connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


class _Log:
    """Shared access to the log file; every write is one IMMEDIATE transaction."""

    def __init__(self, path: str, partitions: Mapping[str, int], default_partitions: int) -> None:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.path = path
        self.partitions = dict(partitions)
        self.default_partitions = default_partitions
        self.conn = _connect(path)
        self.lock = threading.Lock()
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                self.conn.execute(statement)

    def write(self):  # type: ignore[no-untyped-def]
        return _Tx(self)

    def topic_partitions(self, c: sqlite3.Connection, topic: str) -> int:
        row = c.execute("SELECT partitions FROM topics WHERE name = ?", (topic,)).fetchone()
        if row:
            return int(row[0])
        count = self.partitions.get(topic, self.default_partitions)
        c.execute("INSERT OR IGNORE INTO topics (name, partitions) VALUES (?, ?)", (topic, count))
        return count

    def end_offset(self, c: sqlite3.Connection, topic: str, partition: int) -> int:
        """The offset the partition's next record gets."""
        (last,) = c.execute(
            'SELECT MAX("offset") FROM records WHERE topic = ? AND partition = ?', (topic, partition)
        ).fetchone()
        return 0 if last is None else last + 1


class _Tx:
    def __init__(self, log: _Log) -> None:
        self.log = log

    def __enter__(self) -> sqlite3.Connection:
        self.log.lock.acquire()
        self.log.conn.execute("BEGIN IMMEDIATE")
        return self.log.conn

    def __exit__(self, exc_type, *_: object) -> None:  # type: ignore[no-untyped-def]
        try:
            self.log.conn.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self.log.lock.release()


def _encode_headers(headers: Headers) -> str:
    return json.dumps([[k, b64encode(v or b"").decode()] for k, v in headers])


def _decode_headers(raw: str) -> Headers:
    return [(k, b64decode(v)) for k, v in json.loads(raw)]


class EmbeddedBus(EventBus):
    """The event bus on a local SQLite file; publishes are durable when publish returns."""

    def __init__(
        self,
        path: str,
        *,
        partitions: Mapping[str, int] | None = None,
        default_partitions: int = 3,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self._log = _Log(path, partitions or {}, default_partitions)
        self._lease_seconds = lease_seconds

    def publish(
        self,
        topic: str,
        key: str,
        value: bytes,
        headers: Headers,
        on_delivery: DeliveryCallback | None = None,
    ) -> None:
        if not topic or len(topic) > MAX_TOPIC_LENGTH or not all(ch.isalnum() or ch in "._-" for ch in topic):
            raise PublishRejected(f"invalid topic name {topic!r}")
        if not isinstance(value, bytes | bytearray):
            raise PublishRejected("record value must be bytes")
        with self._log.write() as c:
            partition = partition_for(key, self._log.topic_partitions(c, topic))
            c.execute(
                'INSERT INTO records (topic, partition, "offset", key, value, headers, ts) VALUES (?,?,?,?,?,?,?)',
                (
                    topic,
                    partition,
                    self._log.end_offset(c, topic, partition),
                    key,
                    bytes(value),
                    _encode_headers(headers),
                    time.time(),
                ),
            )
        if on_delivery:
            on_delivery(Delivery(ok=True))

    def flush(self, timeout: float) -> int:
        return 0

    def subscribe(self, group: str, topics: list[str], *, start: Start = "earliest") -> Subscription:
        return EmbeddedSubscription(self._log, group, topics, self._lease_seconds, start)

    def close(self) -> None:
        self._log.conn.close()


class EmbeddedSubscription(Subscription):
    """A group member: holds leases on a fair share of the partitions and reads them in turn."""

    def __init__(self, log: _Log, group: str, topics: list[str], lease_seconds: float, start: Start) -> None:
        self._log = log
        self._start = start
        self._lease_seconds = lease_seconds
        self._group = group
        self._topics = list(topics)
        self._member = uuid.uuid4().hex
        self._positions: dict[tuple[str, int], int] = {}
        self._next_refresh = 0.0
        self._turn = 0
        self._closed = False

    def poll(self, timeout: float) -> Record | None:
        deadline = time.monotonic() + timeout
        while True:
            if time.monotonic() >= self._next_refresh:
                self._refresh_leases()
            record = self._next_record()
            if record is not None:
                return record
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            time.sleep(min(0.05, remaining))

    def _next_record(self) -> Record | None:
        owned = sorted(self._positions)
        for i in range(len(owned)):
            topic, partition = owned[(self._turn + i) % len(owned)]
            with self._log.lock:  # one connection per process: never read inside another thread's write
                row = self._log.conn.execute(
                    'SELECT "offset", key, value, headers FROM records WHERE topic = ? AND partition = ? '
                    'AND "offset" >= ? ORDER BY "offset" LIMIT 1',
                    (topic, partition, self._positions[(topic, partition)]),
                ).fetchone()
            if row:
                self._turn = (self._turn + i + 1) % len(owned)
                self._positions[(topic, partition)] = row[0] + 1
                return Record(topic, partition, row[0], row[1], bytes(row[2]), _decode_headers(row[3]))
        return None

    def _refresh_leases(self) -> None:
        now = time.time()
        expires = now + self._lease_seconds
        with self._log.write() as c:
            c.execute("DELETE FROM members WHERE grp = ? AND expires < ?", (self._group, now))
            c.execute(
                "INSERT OR REPLACE INTO members (grp, member, expires) VALUES (?,?,?)",
                (self._group, self._member, expires),
            )
            (members,) = c.execute("SELECT COUNT(*) FROM members WHERE grp = ?", (self._group,)).fetchone()
            wanted = [(t, p) for t in self._topics for p in range(self._log.topic_partitions(c, t))]
            share = ceil(len(wanted) / max(members, 1))
            c.execute(
                "UPDATE leases SET expires = ? WHERE grp = ? AND member = ?",
                (expires, self._group, self._member),
            )
            mine = [
                tuple(r)
                for r in c.execute(
                    "SELECT topic, partition FROM leases WHERE grp = ? AND member = ? ORDER BY topic, partition",
                    (self._group, self._member),
                )
            ]
            mine = [tp for tp in mine if tp in wanted]
            for topic, partition in mine[share:]:
                c.execute(
                    "DELETE FROM leases WHERE grp = ? AND topic = ? AND partition = ?",
                    (self._group, topic, partition),
                )
            mine = mine[:share]
            for topic, partition in wanted:
                if len(mine) >= share:
                    break
                if (topic, partition) in mine:
                    continue
                taken = c.execute(
                    "SELECT member, expires FROM leases WHERE grp = ? AND topic = ? AND partition = ?",
                    (self._group, topic, partition),
                ).fetchone()
                if taken is None or taken[1] < now:
                    c.execute(
                        "INSERT OR REPLACE INTO leases (grp, topic, partition, member, expires) VALUES (?,?,?,?,?)",
                        (self._group, topic, partition, self._member, expires),
                    )
                    mine.append((topic, partition))
            committed = dict(
                ((t, p), o)
                for t, p, o in c.execute(
                    "SELECT topic, partition, next_offset FROM offsets WHERE grp = ?", (self._group,)
                )
            )
        positions = {}
        for tp in mine:
            positions[tp] = self._positions.get(tp, committed.get(tp, self._initial_position(*tp)))
        self._positions = positions
        self._next_refresh = time.monotonic() + min(REFRESH_SECONDS, self._lease_seconds / 3)

    def _initial_position(self, topic: str, partition: int) -> int:
        if self._start == "earliest":
            return 0
        with self._log.lock:
            return self._log.end_offset(self._log.conn, topic, partition)

    def commit(self, record: Record) -> None:
        with self._log.write() as c:
            owner = c.execute(
                "SELECT member FROM leases WHERE grp = ? AND topic = ? AND partition = ?",
                (self._group, record.topic, record.partition),
            ).fetchone()
            if owner is None or owner[0] != self._member:
                # As Kafka does: the partition went to another member, which will deliver this record again.
                self._positions.pop((record.topic, record.partition), None)
                raise CommitFailed(f"{record.topic}[{record.partition}] is no longer assigned to this member")
            c.execute(
                "INSERT INTO offsets (grp, topic, partition, next_offset) VALUES (?,?,?,?) "
                "ON CONFLICT (grp, topic, partition) DO UPDATE SET next_offset = excluded.next_offset",
                (self._group, record.topic, record.partition, record.offset + 1),
            )

    def seek(self, record: Record) -> None:
        if (record.topic, record.partition) in self._positions:
            self._positions[(record.topic, record.partition)] = record.offset

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with self._log.write() as c:
            c.execute("DELETE FROM leases WHERE grp = ? AND member = ?", (self._group, self._member))
            c.execute("DELETE FROM members WHERE grp = ? AND member = ?", (self._group, self._member))
        self._positions = {}
