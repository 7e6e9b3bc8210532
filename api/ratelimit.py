"""Per-client sliding-window limits on the costly endpoints (API and UI).

In memory and per process: enough to keep one client from monopolising a small office
server. Each endpoint group has its own bucket (:class:`RateLimits`); the client is the
socket peer, or, behind a configured trusted proxy, the right-most untrusted address of
``X-Forwarded-For`` (:func:`client_address`).
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping

from assistant.core.settings import ServerSettings

ENDPOINTS = ("ask", "search", "quiz", "quiz_export", "tasks", "ui_chat", "ui_quiz")
"""The rate-limited endpoint groups (fields of ``ServerSettings.rate_limits``)."""

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


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


def parse_networks(items: Iterable[str]) -> tuple[_Network, ...]:
    """IP addresses or CIDRs as networks (a bare address is a one-address network)."""
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


def _is_trusted(address: str, trusted: tuple[_Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip.version == net.version and ip in net for net in trusted)


def client_address(
    peer: str | None, forwarded_for: str | None, trusted: tuple[_Network, ...]
) -> str:
    """The client a request is counted against.

    Without trusted proxies, or when the socket *peer* is not one, the peer itself: a
    client cannot pick its own bucket by sending ``X-Forwarded-For``. When the peer is a
    trusted proxy, walk ``X-Forwarded-For`` from the right (each proxy appends the address
    it saw) and take the first address that is not a trusted proxy.
    """
    peer = peer or "unknown"
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop
    # Every hop is one of our proxies (or the header is missing): the left-most one.
    return hops[0] if hops else peer


class RateLimits:
    """One :class:`SlidingWindowLimiter` per endpoint group, and the client-address rule."""

    def __init__(
        self,
        limits: Mapping[str, int],
        trusted_proxies: Iterable[str] = (),
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limiters = {name: SlidingWindowLimiter(n, clock=clock) for name, n in limits.items()}
        self._trusted = parse_networks(trusted_proxies)

    @classmethod
    def from_settings(cls, server: ServerSettings) -> RateLimits:
        """From ``ServerSettings``: each endpoint's limit and the trusted proxies."""
        return cls({name: server.rate_limit(name) for name in ENDPOINTS}, server.trusted_proxies)

    def client(self, peer: str | None, headers: Mapping[str, str]) -> str:
        """The client key of a request from *peer* with *headers*."""
        return client_address(peer, headers.get("x-forwarded-for"), self._trusted)

    def hit(self, endpoint: str, peer: str | None, headers: Mapping[str, str]) -> float | None:
        """Count one request to *endpoint*; None when allowed, else seconds to wait."""
        return self._limiters[endpoint].hit(self.client(peer, headers))
