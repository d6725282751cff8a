"""The endpoint's limits and its rate limiter, set from FORMWRIGHT_* variables."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..language.formats import DEFAULT_MAX_BODY_BYTES
from ..store import DEADLINE, ROUNDINGS


class SetupError(Exception):
    """The endpoint cannot start: a wrong folder, setting or database."""


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_fields: int = 1000
    rate_limit: int = 120  # posts per client per window; 0 turns the limit off
    rate_window: int = 3600  # seconds; the hashing key is replaced with each window
    date_rounding: str = "day"
    save_deadline: float = DEADLINE  # seconds; a save not committed by then is a 503

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Limits:
        numbers = {
            "max_body_bytes": "FORMWRIGHT_MAX_BODY_BYTES",
            "max_fields": "FORMWRIGHT_MAX_FIELDS",
            "rate_limit": "FORMWRIGHT_RATE_LIMIT",
        }
        values: dict[str, Any] = {}
        for name, var in numbers.items():
            if env.get(var, "").strip():
                try:
                    values[name] = int(env[var])
                except ValueError:
                    raise SetupError(f"{var} must be a whole number, not {env[var]!r}") from None
                if values[name] < 0:
                    raise SetupError(f"{var} must not be negative")
        rounding = env.get("FORMWRIGHT_DATE_ROUNDING", "").strip()
        if rounding:
            if rounding not in ROUNDINGS:
                raise SetupError(f"FORMWRIGHT_DATE_ROUNDING must be one of {', '.join(ROUNDINGS)}")
            values["date_rounding"] = rounding
        deadline = env.get("FORMWRIGHT_SAVE_DEADLINE", "").strip()
        if deadline:
            try:
                values["save_deadline"] = float(deadline)
            except ValueError:
                raise SetupError(
                    f"FORMWRIGHT_SAVE_DEADLINE must be seconds, not {deadline!r}"
                ) from None
            if not 0 < values["save_deadline"] <= 300:
                raise SetupError("FORMWRIGHT_SAVE_DEADLINE must be more than 0 and at most 300")
        return cls(**values)


class RateLimiter:
    """Counts posts per client under HMAC(key, address); the key lives one window."""

    def __init__(self, limit: int, window: int) -> None:
        self.limit, self.window = limit, window
        self._lock = threading.Lock()
        self._rotate(time.monotonic())

    def _rotate(self, now: float) -> None:
        self._key = secrets.token_bytes(32)
        self._counts: dict[bytes, int] = {}
        self._ends = now + self.window

    def allow(self, client: str) -> tuple[bool, int]:
        """Whether this client may post now, and seconds until the next window."""
        if self.limit <= 0:
            return True, 0
        now = time.monotonic()
        with self._lock:
            if now >= self._ends:
                self._rotate(now)
            digest = hmac.new(self._key, client.encode(), hashlib.sha256).digest()
            count = self._counts.get(digest, 0) + 1
            self._counts[digest] = count
            return count <= self.limit, max(1, int(self._ends - now))
