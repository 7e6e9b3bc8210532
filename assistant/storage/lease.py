"""The writer lease: at most one process writes the store at a time, with fencing.

Chroma has no transactions, but it has one atomic primitive: ``add`` keeps an existing
id (the first writer of an id wins). The lease is a sequence of *epoch* records in the
manifest collection, ``__lease__:1``, ``__lease__:2``, …; the holder is the owner of the
highest epoch.

* **Acquire** = add the record of epoch *n + 1* (where *n* is the highest seen) and read
  the highest epoch back: of several processes racing for the same epoch exactly one
  wins, and a process that read a stale *n* finds a higher epoch than its own and backs
  off. Older epochs are deleted by the winner.
* **Renew** rewrites only the holder's own epoch record, so there is no read-then-write
  race on a shared record.
* **Fencing.** Before every write that changes what readers see (a manifest switch, a
  removal, the generation token) the holder checks that its epoch is still the highest;
  a holder whose lease was taken over (it stalled past the expiry) gets
  :class:`LeaseLost` and stops, instead of carrying on beside the new holder. Without
  a server-side compare-and-set a window of one Chroma round trip remains between the
  check and the write; the expiry (120 s by default) dwarfs it.
* **Liveness.** A holder names its host, boot id, pid namespace, pid and process start
  time. When all of host, boot id and pid namespace match ours, the process table
  decides (gone: taken over at once; running: kept, however slow). Otherwise — another
  machine, or a container that shares our hostname but not our pid namespace — only
  the expiry can tell.
"""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LEASE_PREFIX = "__lease__:"
_DUMMY_VECTOR = [0.0]


class LeaseLost(RuntimeError):
    """This process no longer holds the writer lease: another process took it over."""

    def __init__(self) -> None:
        super().__init__(
            "Tiến trình này đã mất quyền ghi chỉ mục (một tiến trình khác đã tiếp quản); "
            "hãy thử lại / this process lost the writer lease to another process; try again"
        )


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) one epoch of the lease."""

    epoch: int
    owner: str
    host: str = ""
    boot_id: str = ""
    pid_ns: str = ""
    pid: int = 0
    started: float = 0.0
    expires: float = 0.0

    def to_json(self) -> str:
        """Serialise for the manifest collection."""
        return json.dumps(self.__dict__)

    @classmethod
    def from_json(cls, epoch: int, text: str) -> Holder:
        """Parse a stored record; an unreadable one is a holder that has expired."""
        try:
            data = json.loads(text)
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["epoch"] = epoch
        known.setdefault("owner", "?")
        return cls(**known)

    def alive(self) -> bool:
        """Whether this holder may still be writing (see the module docstring)."""
        me = machine_identity()
        local = (self.host, self.boot_id, self.pid_ns) == (me["host"], me["boot_id"], me["pid_ns"])
        if not local or not me["boot_id"]:
            return self.expires >= time.time()
        started = process_start(self.pid) if self.pid > 0 else 0.0
        # A reused pid is another process: compare start times too.
        return started > 0 and abs(started - self.started) < 1.0


def machine_identity() -> dict[str, str]:
    """Host name, kernel boot id and pid namespace of this process."""
    boot = Path("/proc/sys/kernel/random/boot_id")
    try:
        boot_id = boot.read_text().strip()
    except OSError:
        boot_id = ""
    try:
        pid_ns = os.readlink("/proc/self/ns/pid")
    except OSError:
        pid_ns = ""
    return {"host": socket.gethostname(), "boot_id": boot_id, "pid_ns": pid_ns}


def process_start(pid: int) -> float:
    """Start time of process *pid* (0 when it does not exist)."""
    import psutil

    try:
        return float(psutil.Process(pid).create_time())
    except psutil.Error:
        return 0.0


class WriterLease:
    """The lease records of one manifest collection."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection

    def holders(self) -> list[Holder]:
        """Every stored epoch record, highest epoch first."""
        got = self._collection.get(where={"kind": "lease"}, include=["documents", "metadatas"])
        out = []
        for rid, doc, meta in zip(
            got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True
        ):
            epoch = int((meta or {}).get("epoch", rid.removeprefix(LEASE_PREFIX) or 0))
            out.append(Holder.from_json(epoch, doc or ""))
        return sorted(out, key=lambda h: -h.epoch)

    def current(self) -> Holder | None:
        """The holder of the highest epoch, or None when nobody holds the lease."""
        holders = self.holders()
        return holders[0] if holders else None

    def try_acquire(self, owner: str, ttl_s: float) -> tuple[Holder | None, bool]:
        """Try once: (our holder record or None, whether we took over someone else's)."""
        current = self.current()
        if current is not None and current.owner == owner:
            return current, False
        if current is not None and current.alive():
            return None, False
        took_over = current is not None
        epoch = (current.epoch if current else 0) + 1
        mine = self._record(epoch, owner, ttl_s)
        # add() keeps an existing id: of several processes racing for this epoch, one wins.
        self._collection.add(
            ids=[f"{LEASE_PREFIX}{epoch}"],
            documents=[mine.to_json()],
            metadatas=[{"kind": "lease", "epoch": epoch, "owner": owner}],
            embeddings=[_DUMMY_VECTOR],
        )
        now = self.current()
        if now is None or now.epoch != epoch or now.owner != owner:
            # Lost the race, or we read a stale epoch and someone is already higher.
            self._collection.delete(ids=[f"{LEASE_PREFIX}{epoch}"], where={"owner": owner})
            return None, False
        stale = [f"{LEASE_PREFIX}{h.epoch}" for h in self.holders() if h.epoch < epoch]
        if stale:
            self._collection.delete(ids=stale)
        return mine, took_over

    def renew(self, holder: Holder, ttl_s: float) -> Holder:
        """Extend our own epoch record (after :meth:`check`: a lost lease is not renewed)."""
        self.check(holder)
        renewed = self._record(holder.epoch, holder.owner, ttl_s)
        self._collection.upsert(
            ids=[f"{LEASE_PREFIX}{holder.epoch}"],
            documents=[renewed.to_json()],
            metadatas=[{"kind": "lease", "epoch": holder.epoch, "owner": holder.owner}],
            embeddings=[_DUMMY_VECTOR],
        )
        return renewed

    def check(self, holder: Holder) -> None:
        """Fencing: raise :class:`LeaseLost` unless *holder*'s epoch is still the highest."""
        current = self.current()
        if current is None or current.epoch != holder.epoch or current.owner != holder.owner:
            raise LeaseLost()

    def release(self, owner: str) -> None:
        """Give up every epoch record *owner* holds."""
        self._collection.delete(where={"$and": [{"kind": "lease"}, {"owner": owner}]})

    @staticmethod
    def _record(epoch: int, owner: str, ttl_s: float) -> Holder:
        me = machine_identity()
        pid = os.getpid()
        return Holder(
            epoch=epoch,
            owner=owner,
            host=me["host"],
            boot_id=me["boot_id"],
            pid_ns=me["pid_ns"],
            pid=pid,
            started=process_start(pid),
            expires=time.time() + ttl_s,
        )
