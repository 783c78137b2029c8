"""Per-device rate limits of the ingestion endpoints, in process memory.

A token bucket per device: ``rate`` positions per second on average, bursts up to ``burst``
(an offline buffer replayed by Traccar Client arrives as a burst). Each gateway process keeps
its own buckets (the gateway is stateless; with N processes behind a balancer a device gets at
most N times the rate), which spares the database and Redis a write per position.
"""

from __future__ import annotations

import threading
import time


class DeviceBuckets:
    def __init__(self, rate: float, burst: float, max_devices: int = 200_000) -> None:
        self.rate = rate
        self.burst = burst
        self.max_devices = max_devices
        self._buckets: dict[int, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, device_id: int, count: int = 1) -> bool:
        """Spend ``count`` tokens of the device's bucket; False (and nothing spent) when short."""
        now = time.monotonic()
        with self._lock:
            tokens, at = self._buckets.get(device_id, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens < count:
                self._buckets[device_id] = (tokens, now)
                return False
            if len(self._buckets) >= self.max_devices and device_id not in self._buckets:
                self._buckets.clear()
            self._buckets[device_id] = (tokens - count, now)
            return True
