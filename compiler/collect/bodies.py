"""Reading a posted body: its content type, JSON or form fields, and refusals.

Nothing here knows a questionnaire: it turns bytes into an envelope and
answers, or a `Reject` with the status and reason a client is told.
"""

from __future__ import annotations

import json
import math
import re
from email.message import Message
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

ENVELOPE = ("questionnaire", "version", "language", "submission_id", "answers")
FORM_ENVELOPE = ("fw_questionnaire", "fw_version", "fw_language", "fw_submission", "fw_website")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD]")


class Reject(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


@lru_cache(maxsize=64)
def _content_type(header: str) -> tuple[str, bool]:
    """The media type, and whether the charset, if any, is UTF-8.

    The email parser gets case, quoting and parameters right but cost a fiftieth
    of a request; clients repeat one or two headers, so each is parsed once.
    """
    msg = Message()
    msg["content-type"] = header
    charset = msg.get_param("charset")
    utf8 = charset is None or str(charset).lower() in ("utf-8", "utf8")
    return msg.get_content_type(), utf8


def media_type(header: str) -> str:
    media, utf8 = _content_type(header)
    if not utf8:
        raise Reject(415, "only UTF-8 is accepted")
    return media


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _integer(text: str) -> int | float:
    """A JSON integer; one with more digits than Python converts (thousands, far beyond
    a float) is read as a browser reads it, as infinite, and so is an invalid answer."""
    try:
        return int(text)
    except ValueError:
        return -math.inf if text.startswith("-") else math.inf


class _DuplicateKey(ValueError):
    pass


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object that names each key once: with two, which one a reader keeps is a guess."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _DuplicateKey
    return obj


def read_json(body: bytes, max_fields: int) -> dict[str, Any]:
    """The envelope of a JSON post; its answers are checked against a questionnaire later."""
    try:
        data = json.loads(
            body.decode("utf-8"),
            parse_constant=_no_constant,
            parse_int=_integer,
            object_pairs_hook=_object,
        )
        # Lone surrogates cannot be stored or echoed; strict UTF-8 lets none
        # through, so only a body with a \\uD... escape needs re-encoding to find one.
        if _SURROGATE_ESCAPE.search(body):
            json.dumps(data, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise Reject(400, "the body is nested too deeply") from None
    except _DuplicateKey:
        raise Reject(400, "the body names a key twice in one object") from None
    except (ValueError, UnicodeError):
        raise Reject(400, "the body is not valid UTF-8 JSON") from None
    if not isinstance(data, dict) or not set(data) <= set(ENVELOPE):
        raise Reject(400, f"the body must be an object with {', '.join(ENVELOPE)}")
    answers = data.get("answers")
    if isinstance(answers, dict) and len(answers) > max_fields:
        raise Reject(400, "too many fields")
    return data


def read_form(body: bytes, max_fields: int) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """A form post's envelope fields (each at most once) and its other fields, in order."""
    try:
        # Browsers percent-encode every byte beyond ASCII in a form post.
        pairs = parse_qsl(
            body.decode("ascii"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=max_fields,
        )
    except ValueError as exc:  # UnicodeDecodeError is one too
        many = "fields" in str(exc)
        raise Reject(400, "too many fields" if many else "the form is not UTF-8") from None
    envelope: dict[str, str] = {}
    rest: list[tuple[str, str]] = []
    for name, value in pairs:
        if name in FORM_ENVELOPE:
            if name in envelope:
                raise Reject(400, f"{name} is given twice")
            envelope[name] = value
        else:
            rest.append((name, value))
    return envelope, rest
