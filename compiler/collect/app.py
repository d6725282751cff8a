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

import html
import logging
import re
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from ..language.formats import UUID_PATTERN
from ..store import ROUNDINGS, NewResponse, Store, StoreError, open_store, round_date
from ..strings import Strings
from .answers import Checked, Malformed, Parsed, check, from_form, from_json
from .bodies import Reject, media_type, read_form, read_json
from .limits import Limits, RateLimiter, SetupError
from .published import Loaded, load_questionnaires
from .writer import Writer

log = logging.getLogger("formwright.collect")
ERRORS_MARK = "<!--fw:errors-->"
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


@dataclass
class Submission:
    questionnaire: Loaded
    version: str
    language: str
    submission_id: str
    parsed: Parsed
    honeypot: bool = False


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
            media = media_type(request.headers.get("content-type", ""))
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
        data = read_json(body, self.limits.max_fields)
        answers = data.get("answers")
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
        envelope, rest = read_form(body, self.limits.max_fields)
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
