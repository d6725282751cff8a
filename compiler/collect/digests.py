"""The keyed digest of a response, kept with its row, that tells a resend from another body.

A post whose submission id is stored already is either a resend of the same
answers (the original success is repeated) or different answers under that id
(409, nothing overwritten). The row keeps an HMAC-SHA256 of the canonical JSON
of what was stored, never a second copy of the answers, under a key from
FORMWRIGHT_DIGEST_KEY or, when that is unset, one made at start and held only
in memory (`formwright endpoint` hands it to its workers in their environment).
Each digest names its key by an id (an HMAC of a fixed label, which reveals
nothing of the key), so a digest made under another key, like a row stored
before digests were kept, is known to be uncomparable: it never counts as the
same answers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

KEY_VARIABLE = "FORMWRIGHT_DIGEST_KEY"
MIN_KEY_CHARS = 32
_LABEL = b"formwright digest key id"


def new_key() -> str:
    return secrets.token_hex(32)


class Digester:
    def __init__(self, key: str | None = None) -> None:
        """`key` as FORMWRIGHT_DIGEST_KEY gives it; None or empty makes one for this process."""
        self.generated = not key
        self._key = (key or new_key()).encode("utf-8")
        self.key_id = hmac.new(self._key, _LABEL, hashlib.sha256).hexdigest()[:16]

    def __call__(
        self, questionnaire: str, version: str, language: str, answers: dict[str, object]
    ) -> str:
        """`<key id>:<hex HMAC>` of the response as stored (the checked answers)."""
        canonical = json.dumps(
            [questionnaire, version, language, answers],
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        mac = hmac.new(self._key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()
        return f"{self.key_id}:{mac}"

    def comparable(self, stored: str | None) -> bool:
        """Whether a stored digest was made under this key (None: stored before digests)."""
        return stored is not None and stored.split(":", 1)[0] == self.key_id

    def same(self, stored: str | None, digest: str) -> bool:
        return self.comparable(stored) and hmac.compare_digest(str(stored), digest)
