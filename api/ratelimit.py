"""A per-client sliding-window limit on the question endpoints.

In memory and per process: enough to keep one client from monopolising a small office
server. Several workers or a shared proxy need a limit in front of them instead.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    """At most *limit* events per *window_s* seconds per client key (0 disables the limit)."""

    def __init__(
        self,
        limit: int,
        window_s: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 10_000,
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._max_clients = max_clients
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        """Record one event for *key*; None when allowed, else seconds until one is allowed."""
        if self.limit <= 0:
            return None
        now = self._clock()
        horizon = now - self.window_s
        with self._lock:
            events = self._events.get(key)
            if events is None:
                if len(self._events) >= self._max_clients:
                    self._forget_idle(horizon)
                events = self._events.setdefault(key, deque())
            while events and events[0] <= horizon:
                events.popleft()
            if len(events) >= self.limit:
                return max(events[0] - horizon, 0.001)
            events.append(now)
            return None

    def _forget_idle(self, horizon: float) -> None:
        """Drop clients with no event in the window, so memory stays bounded."""
        idle = [k for k, ev in self._events.items() if not ev or ev[-1] <= horizon]
        for key in idle:
            del self._events[key]
        if len(self._events) >= self._max_clients:
            # Still full of active clients: forget the oldest half rather than grow.
            oldest = sorted(self._events, key=lambda k: self._events[k][-1])
            for key in oldest[: len(oldest) // 2]:
                del self._events[key]

    @staticmethod
    def retry_after_header(seconds: float) -> str:
        """Whole seconds for a ``Retry-After`` header."""
        return str(max(1, math.ceil(seconds)))
