"""celery beat's scheduler, recording each tick of its loop in Redis for `/healthz`."""

from __future__ import annotations

import logging
import time
from typing import Any

from celery.beat import PersistentScheduler

from platform_site.health import BEAT_HEARTBEAT_KEY, redis_client

logger = logging.getLogger("konsulta.beat")

# The key lives a while after beat stops, so /healthz can say how long ago it last ticked.
HEARTBEAT_TTL_SECONDS = 24 * 60 * 60


class HeartbeatScheduler(PersistentScheduler):
    """PersistentScheduler that writes the time of every tick (CELERY_BEAT_SCHEDULER)."""

    def tick(self, *args: Any, **kwargs: Any) -> float:
        interval = super().tick(*args, **kwargs)

        try:
            redis_client().set(BEAT_HEARTBEAT_KEY, f"{time.time():.3f}", ex=HEARTBEAT_TTL_SECONDS)
        except Exception:  # Redis down: beat goes on, and /healthz says so
            logger.warning("beat could not record its tick in Redis", exc_info=True)
        return interval
