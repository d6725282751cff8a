"""The collection endpoint: receives posted responses, checks them, stores them.

One ASGI application (Starlette) serves every questionnaire under build/ at its
manifest's `endpoint` path. It never keeps or logs who sent a response: no
address, browser, referrer, cookie or precise time. The only per-client state
is a rate-limit counter held in memory under a keyed hash whose key is random
and replaced every window, so counts cannot be linked to an address even by
someone who reads the process's memory after the window ends.

Statuses: 201 (JSON) or 303 to the thanks page (form), 400 malformed, 404
unknown questionnaire, 405 wrong method, 409 unknown version, 413 too large,
415 wrong content type, 422 invalid answers, 429 rate limited, 503 storage
unavailable. Nothing a client sends can produce a 500.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import logging
import re
import secrets
import threading
import time
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from email.message import Message
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from .answers import Checked, Index, Malformed, Parsed, check, from_form, from_json
from .compile import UUID_PATTERN
from .store import ROUNDINGS, NewResponse, Store, StoreError, open_store, round_date
from .strings import Strings
from .writer import Writer

log = logging.getLogger("formwright.collect")
ENVELOPE = ("questionnaire", "version", "language", "submission_id", "answers")
FORM_ENVELOPE = ("fw_questionnaire", "fw_version", "fw_language", "fw_submission", "fw_website")
ERRORS_MARK = "<!--fw:errors-->"
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD]")
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


class SetupError(Exception):
    """The endpoint cannot start: a wrong folder, setting or database."""


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = 65536
    max_fields: int = 1000
    rate_limit: int = 120  # posts per client per window; 0 turns the limit off
    rate_window: int = 3600  # seconds; the hashing key is replaced with each window
    date_rounding: str = "day"

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


@dataclass
class Loaded:
    """One questionnaire the endpoint accepts, from its build folder."""

    manifest: dict[str, Any]
    error_pages: dict[str, str] = field(default_factory=dict)
    index: Index = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.index = Index.of(self.manifest)

    @property
    def id(self) -> str:
        return str(self.manifest["id"])

    @property
    def path(self) -> str:
        return urlsplit(str(self.manifest.get("endpoint") or "/responses")).path or "/responses"


def _error_page(text: str, qid: str, lang: str) -> str:
    # The page is answered at the endpoint's URL, not from its own folder, and its
    # CSP forbids <base>: point its relative links back at the folder instead.
    text = text.replace('="../', f'="/{qid}/')
    return text.replace('href="index.html"', f'href="/{qid}/{lang}/index.html"')


def load_questionnaires(build_dir: Path) -> dict[str, Loaded]:
    found: dict[str, Loaded] = {}
    for path in sorted(build_dir.glob("*/manifest.json")):
        try:
            man = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise SetupError(f"cannot read {path}: {exc}") from exc
        loaded = Loaded(man)
        for lang in man["languages"]:
            page = path.parent / lang / "error.html"
            if page.is_file():
                loaded.error_pages[lang] = _error_page(page.read_text("utf-8"), loaded.id, lang)
        found[loaded.id] = loaded
    if not found:
        raise SetupError(f"no built questionnaire in {build_dir}: run formwright build first")
    return found


class Reject(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


@dataclass
class Submission:
    questionnaire: Loaded
    version: str
    language: str
    submission_id: str
    parsed: Parsed
    honeypot: bool = False


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


def _media_type(header: str) -> str:
    media, utf8 = _content_type(header)
    if not utf8:
        raise Reject(415, "only UTF-8 is accepted")
    return media


class Endpoint:
    def __init__(self, questionnaires: dict[str, Loaded], store: Store, limits: Limits) -> None:
        self.questionnaires, self.store, self.limits = questionnaires, store, limits
        self.writer = Writer(store)
        self.limiter = RateLimiter(limits.rate_limit, limits.rate_window)

    async def handle(self, request: Request) -> Response:
        is_form = False
        try:
            if request.method != "POST":
                raise Reject(405, "use POST", {"Allow": "POST, OPTIONS"})
            allowed, retry = self.limiter.allow(request.client.host if request.client else "")
            if not allowed:
                raise Reject(429, "too many submissions; try later", {"Retry-After": str(retry)})
            media = _media_type(request.headers.get("content-type", ""))
            if media not in ("application/json", "application/x-www-form-urlencoded"):
                raise Reject(415, "post application/json or a form")
            is_form = media == "application/x-www-form-urlencoded"
            body = await self._body(request)
            sub = self._form(body) if is_form else self._json(body)
            return await self._accept(sub, is_form)
        except Reject as reject:
            return _plain(reject, is_form)
        except StoreError as exc:
            log.error("storage unavailable: %s", exc)
            return _plain(Reject(503, "the answers cannot be stored now; try again"), is_form)

    async def _body(self, request: Request) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limits.max_body_bytes:
            raise Reject(413, "the body is too large")
        body = bytearray()
        try:
            async for chunk in request.stream():
                body += chunk
                if len(body) > self.limits.max_body_bytes:
                    raise Reject(413, "the body is too large")
        except ClientDisconnect:
            raise Reject(400, "the body was cut short") from None
        return bytes(body)

    def _identify(self, qid: object, version: object, lang: object, sid: object) -> Loaded:
        loaded = self.questionnaires.get(qid) if isinstance(qid, str) else None
        if loaded is None:
            raise Reject(404, "unknown questionnaire")
        if version != loaded.manifest["version"]:
            raise Reject(409, "this version of the questionnaire is no longer collected")
        if lang not in loaded.manifest["languages"]:
            raise Reject(400, "unknown language")
        if not isinstance(sid, str) or not re.match(UUID_PATTERN, sid):
            raise Reject(400, "submission_id must be a lowercase UUID")
        return loaded

    def _json(self, body: bytes) -> Submission:
        try:
            data = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
            # Lone surrogates cannot be stored or echoed; strict UTF-8 lets none
            # through, so only a body with a \\uD... escape needs re-encoding to find one.
            if _SURROGATE_ESCAPE.search(body):
                json.dumps(data, ensure_ascii=False).encode("utf-8")
        except (ValueError, RecursionError, UnicodeError):
            raise Reject(400, "the body is not valid UTF-8 JSON") from None
        if not isinstance(data, dict) or not set(data) <= set(ENVELOPE):
            raise Reject(400, f"the body must be an object with {', '.join(ENVELOPE)}")
        answers = data.get("answers")
        if isinstance(answers, dict) and len(answers) > self.limits.max_fields:
            raise Reject(400, "too many fields")
        sid = data.get("submission_id", str(uuid.uuid4()))
        loaded = self._identify(
            data.get("questionnaire"), data.get("version"), data.get("language"), sid
        )
        try:
            parsed = from_json(loaded.index, answers)
        except Malformed as exc:
            raise Reject(400, str(exc)) from None
        return Submission(loaded, data["version"], data["language"], str(sid), parsed)

    def _form(self, body: bytes) -> Submission:
        try:
            # Browsers percent-encode every byte beyond ASCII in a form post.
            pairs = parse_qsl(
                body.decode("ascii"),
                keep_blank_values=True,
                encoding="utf-8",
                errors="strict",
                max_num_fields=self.limits.max_fields,
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
        sid = envelope.get("fw_submission") or str(uuid.uuid4())
        loaded = self._identify(
            envelope.get("fw_questionnaire"),
            envelope.get("fw_version"),
            envelope.get("fw_language"),
            sid,
        )
        return Submission(
            loaded,
            envelope["fw_version"],
            envelope["fw_language"],
            sid,
            from_form(loaded.index, rest),
            honeypot=bool(envelope.get("fw_website")),
        )

    async def _accept(self, sub: Submission, is_form: bool) -> Response:
        man = sub.questionnaire.manifest
        thanks = f"/{sub.questionnaire.id}/{sub.language}/thanks.html"
        if sub.honeypot:  # a bot: let it believe it succeeded
            return Response(status_code=303, headers={**SECURITY_HEADERS, "Location": thanks})
        today = date.today()
        checked: Checked = check(sub.questionnaire.index, sub.parsed, Strings(sub.language), today)
        if checked.problems:
            return self._invalid(sub, checked, is_form)
        response = NewResponse(
            sub.submission_id, man["id"], sub.version, sub.language, checked.answers
        )
        day = round_date(today, self.limits.date_rounding)
        response_id = await self.writer.save(response, day)
        if is_form:
            return Response(status_code=303, headers={**SECURITY_HEADERS, "Location": thanks})
        return JSONResponse({"id": response_id}, status_code=201, headers=SECURITY_HEADERS)

    def _invalid(self, sub: Submission, checked: Checked, is_form: bool) -> Response:
        if not is_form:
            errors = [p.as_json() for p in checked.problems]
            return JSONResponse({"errors": errors}, status_code=422, headers=SECURITY_HEADERS)
        items = "\n".join(f"<li>{html.escape(p.message)}</li>" for p in checked.problems)
        page = sub.questionnaire.error_pages.get(sub.language)
        if page is None or ERRORS_MARK not in page:
            page = f"<!doctype html><title>Error</title><ul>{ERRORS_MARK}</ul>"
        content = page.replace(ERRORS_MARK, items, 1)
        return HTMLResponse(content, status_code=422, headers=SECURITY_HEADERS)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _plain(reject: Reject, is_form: bool) -> Response:
    headers = {**SECURITY_HEADERS, **reject.headers}
    if is_form:
        return PlainTextResponse(reject.message, status_code=reject.status, headers=headers)
    return JSONResponse({"error": reject.message}, status_code=reject.status, headers=headers)


def create_app(
    build_dir: Path,
    database_url: str,
    allowed_origins: Sequence[str] = (),
    limits: Limits | None = None,
    *,
    serve_static: bool = False,
) -> Starlette:
    """The endpoint for every questionnaire in build_dir; with serve_static, the forms too."""
    limits = limits or Limits()
    if limits.date_rounding not in ROUNDINGS:
        raise SetupError(f"date rounding must be one of {', '.join(ROUNDINGS)}")
    questionnaires = load_questionnaires(build_dir)
    store = open_store(database_url)
    for loaded in questionnaires.values():
        store.remember_manifest(loaded.manifest)
    endpoint = Endpoint(questionnaires, store, limits)
    paths = sorted({q.path for q in questionnaires.values()})
    # Every method reaches the endpoint, which answers 405 itself: otherwise the
    # static mount in front of which it sits would answer a GET with 404.
    routes: list[BaseRoute] = [Route(path, endpoint.handle, methods=METHODS) for path in paths]
    if serve_static:
        routes.append(Mount("/", StaticFiles(directory=build_dir, html=True)))
    middleware = []
    if allowed_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(allowed_origins),
                allow_methods=["POST"],
                allow_headers=["Content-Type"],
                max_age=3600,
            )
        )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        endpoint.writer.close()
        store.close()

    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
