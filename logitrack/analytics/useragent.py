"""The coarse browser family of a User-Agent header, with ua-parser (uap-core's maintained rules).

Only the family ("Chrome", "Firefox", "Mobile Safari", ...) is kept: no version, no OS, no device
model, which together would narrow a visitor down.
"""

from __future__ import annotations

from functools import lru_cache

from ua_parser import parse_user_agent

MAX_LENGTH = 40
# A header longer than this is not parsed (rules are regular expressions): "Other".
MAX_HEADER = 512


@lru_cache(maxsize=1024)
def browser_family(header: str) -> str:
    """ "Chrome", "Firefox", ...; "Other" for an empty, unknown or oversized header."""
    if not header or len(header) > MAX_HEADER:
        return "Other"
    parsed = parse_user_agent(header)
    family = parsed.family if parsed is not None else "Other"
    return (family or "Other")[:MAX_LENGTH]
