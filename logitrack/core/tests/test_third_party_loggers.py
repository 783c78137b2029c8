"""Third-party libraries' loggers follow the single-root-handler rule of config LOGGING."""

from __future__ import annotations

import logging

from redis.utils import _set_info_logger


def test_redis_push_response_logger_gets_no_handler_of_its_own() -> None:
    _set_info_logger()  # type: ignore[no-untyped-call]  # what redis-py runs when a pub/sub connection is opened

    logger = logging.getLogger("push_response")

    assert logger.handlers == []
    assert logger.propagate is True
    assert logger.getEffectiveLevel() == logging.WARNING
