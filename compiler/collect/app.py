"""The collection endpoint: receives posted responses, checks them, stores them.

One ASGI application (Starlette) serves every questionnaire under build/ at its
manifest's `endpoint` path. It never keeps or logs who sent a response: no
address, browser, referrer, cookie or precise time. The only per-client state
is a rate-limit counter held in memory under a keyed hash whose key is random
and replaced every window, so counts cannot be linked to an address even by
someone who reads the process's memory after the window ends.

Statuses: 201 (JSON) or 303 to the thanks page (form), 400 malformed, 404
unknown questionnaire, 405 wrong method, 410 a version no longer collected (past
its grace period, or never served here), 409 a submission id stored with other
answers (a resend of the same answers gets the first's 201 or 303; digests.py),
413 too large, 415 wrong content type, 422 invalid answers, 429 rate limited,
503 storage unavailable or too slow.
Nothing a client sends can produce a 500. A browser gets every refusal as a
page that holds its answers (refusals.py); a script gets JSON.
"""

from __future__ import annotations

import asyncio
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
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from ..language.formats import UUID_PATTERN
from ..store import ROUNDINGS, NewResponse, Store, StoreError, open_store, round_date
from ..strings import Strings
from .answers import Checked, Malformed, Parsed, check, from_form, from_json
from .bodies import Reject, media_type, read_form, read_json
from .digests import Digester
from .health import PATHS, Counters, Operations
from .limits import Limits, RateLimiter, SetupError
from .origins import forged
from .published import (
    FORM,
    Loaded,
    body_limit_problems,
    earlier_versions,
    load_questionnaires,
)
from .refusals import SECURITY_HEADERS, Post, refuse, wants_html
from .static import BuiltFiles
from .writer import Writer

log = logging.getLogger("formwright.collect")
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
FORM_TYPE = "application/x-www-form-urlencoded"


@dataclass
class Submission:
    questionnaire: Loaded
    version: str
    language: str
    submission_id: str
    parsed: Parsed
    honeypot: bool = False


class Endpoint:
    def __init__(
        self,
        questionnaires: dict[str, Loaded],
        store: Store,
        limits: Limits,
        earlier: dict[str, dict[str, Loaded]] | None = None,
        allowed_origins: Sequence[str] = (),
    ) -> None:
        self.questionnaires, self.store, self.limits = questionnaires, store, limits
        self.allowed_origins = frozenset(o.strip().lower().rstrip("/") for o in allowed_origins)
        self.earlier = earlier or {}  # questionnaire -> version -> an earlier version
        self.writer = Writer(store)
        self.digester = Digester()  # create_app gives it the configured key
        self.limiter = RateLimiter(limits.rate_limit, limits.rate_window)
        self.counters = Counters()  # this worker's answers by status, for /metrics
        self.by_path: dict[str, Loaded] = {}
        for loaded in questionnaires.values():
            self.by_path.setdefault(loaded.path, loaded)

    async def counted(self, request: Request) -> Response:
        """`handle`, counting each answer's status (and a 500, which no client should cause)."""
        try:
            response = await self.handle(request)
        except Exception:
            self.counters.answered[500] += 1
            raise
        self.counters.answered[response.status_code] += 1
        return response

    async def handle(self, request: Request) -> Response:
        ctype = request.headers.get("content-type", "")
        post = Post(
            wants_html(ctype, request.headers.get("accept", "")),
            request.headers.get("accept-language", ""),
        )
        try:
            if request.method != "POST":
                raise Reject(405, "use POST", {"Allow": "POST, OPTIONS"})
            media = media_type(ctype)
            if media not in ("application/json", FORM_TYPE):
                raise Reject(415, "post application/json or a form")
            is_form = media == FORM_TYPE
            body = await self._body(request)
            allowed, retry = self.limiter.allow(request.client.host if request.client else "")
            sub = self._form(body, post) if is_form else self._json(body, post)
            # after reading the post: a real respondent on an old page keeps the answers
            if forged(request.headers, request.headers.get("host", ""), self.allowed_origins):
                raise Reject(403, "this post did not come from the survey's own pages")
            if not allowed:  # after reading the post, so that its page can hold the answers
                raise Reject(429, "too many submissions; try later", {"Retry-After": str(retry)})
            return await self._accept(sub, is_form, post)
        except Reject as reject:
            return refuse(reject, post, self._fallback(request))
        except StoreError as exc:
            log.error("storage unavailable: %s", exc)
            unavailable = Reject(503, "the answers cannot be stored now; try again")
            return refuse(unavailable, post, self._fallback(request))

    def _fallback(self, request: Request) -> Loaded:
        """The questionnaire whose pages answer a post that named none (or a wrong one)."""
        return self.by_path.get(request.url.path) or next(iter(self.questionnaires.values()))

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

    def _identify(
        self, qid: object, version: object, lang: object, sid: object, post: Post
    ) -> Loaded:
        current = self.questionnaires.get(qid) if isinstance(qid, str) else None
        if current is None:
            raise Reject(404, "unknown questionnaire")
        post.questionnaire = post.current = current
        if isinstance(lang, str) and lang in current.manifest["languages"]:
            post.language = lang
        loaded = current
        if version != current.version:
            earlier = self.earlier.get(current.id, {}).get(str(version))
            if earlier is not None and earlier.page(FORM, str(lang)) is not None:
                post.questionnaire = earlier  # its own page holds its own answers
            if earlier is None or not earlier.is_open(date.today()):
                raise Reject(410, "this version of the questionnaire is no longer collected")
            loaded = earlier
        if lang not in loaded.manifest["languages"]:
            raise Reject(400, "unknown language")
        post.language = str(lang)
        if not isinstance(sid, str) or not re.match(UUID_PATTERN, sid):
            raise Reject(400, "submission_id must be a lowercase UUID")
        return loaded

    def _json(self, body: bytes, post: Post) -> Submission:
        data = read_json(body, self.limits.max_fields)
        answers = data.get("answers")
        sid = data.get("submission_id", str(uuid.uuid4()))
        loaded = self._identify(
            data.get("questionnaire"), data.get("version"), data.get("language"), sid, post
        )
        try:
            parsed = from_json(loaded.index, answers)
        except Malformed as exc:
            raise Reject(400, str(exc)) from None
        return Submission(loaded, data["version"], data["language"], str(sid), parsed)

    def _form(self, body: bytes, post: Post) -> Submission:
        envelope, rest = read_form(body, self.limits.max_fields)
        post.pairs = rest
        # A resend from the refusal page keeps this id, so it can never store twice.
        sid = envelope.get("fw_submission") or str(uuid.uuid4())
        post.submission_id = sid
        loaded = self._identify(
            envelope.get("fw_questionnaire"),
            envelope.get("fw_version"),
            envelope.get("fw_language"),
            sid,
            post,
        )
        return Submission(
            loaded,
            envelope["fw_version"],
            envelope["fw_language"],
            sid,
            from_form(loaded.index, rest),
            honeypot=bool(envelope.get("fw_website")),
        )

    async def _accept(self, sub: Submission, is_form: bool, post: Post) -> Response:
        man = sub.questionnaire.manifest
        thanks = f"/{sub.questionnaire.id}/{sub.language}/thanks.html"
        if sub.honeypot:  # a bot: let it believe it succeeded
            self.counters.honeypot += 1
            return Response(status_code=303, headers={**SECURITY_HEADERS, "Location": thanks})
        today = date.today()
        checked: Checked = check(sub.questionnaire.index, sub.parsed, Strings(sub.language), today)
        if checked.problems:
            post.problems = checked.problems
            raise Reject(422, "some answers are not valid")
        digest = self.digester(man["id"], sub.version, sub.language, checked.answers)
        response = NewResponse(
            sub.submission_id, man["id"], sub.version, sub.language, checked.answers, digest
        )
        day = round_date(today, self.limits.date_rounding)
        try:
            # One deadline for the whole save: the writer's queue, locks, the database.
            # Past it the row may still be committed; a resend with the same id finds it.
            response_id = await asyncio.wait_for(
                self.writer.save(response, day), self.limits.save_deadline
            )
        except TimeoutError:
            raise StoreError(f"no commit within {self.limits.save_deadline:g} s") from None
        if response_id != response.id:  # stored before: a resend, or other answers under its id
            await self._same_answers(response)
        if is_form:
            return Response(status_code=303, headers={**SECURITY_HEADERS, "Location": thanks})
        return JSONResponse({"id": response_id}, status_code=201, headers=SECURITY_HEADERS)

    async def _same_answers(self, response: NewResponse) -> None:
        """Nothing if the stored row's digest is this post's; 409 otherwise, nothing changed."""
        assert response.digest is not None
        stored = await asyncio.to_thread(self.store.digest, response.submission_id)
        if self.digester.same(stored, response.digest):
            return
        if self.digester.comparable(stored):
            raise Reject(409, "other answers were stored under this submission_id; none changed")
        # made under another FORMWRIGHT_DIGEST_KEY (a restart, another host), or before digests
        raise Reject(
            409,
            "answers were stored under this submission_id and cannot be compared with these"
            " (kept under another digest key, or before digests); none changed",
        )


def create_app(
    build_dir: Path,
    database_url: str,
    allowed_origins: Sequence[str] = (),
    limits: Limits | None = None,
    *,
    serve_static: bool = False,
    digest_key: str | None = None,
) -> Starlette:
    """The endpoint for every questionnaire in build_dir; with serve_static, the forms too.

    `digest_key` is FORMWRIGHT_DIGEST_KEY (collect/digests.py); without it a key is made
    for this app alone, so resends reaching another process or a restarted one get 409."""
    limits = limits or Limits()
    if limits.date_rounding not in ROUNDINGS:
        raise SetupError(f"date rounding must be one of {', '.join(ROUNDINGS)}")
    questionnaires = load_questionnaires(build_dir)
    if clash := sorted({q.path for q in questionnaires.values()} & set(PATHS)):
        raise SetupError(f"a questionnaire's endpoint path {clash[0]} is the endpoint's own")
    for problem in body_limit_problems(questionnaires, limits.max_body_bytes):
        log.warning("%s", problem)  # the build warns too (FW502); a lowered limit is a choice
    store = open_store(database_url, deadline=limits.save_deadline)
    earlier: dict[str, dict[str, Loaded]] = {}
    for loaded in questionnaires.values():
        store.remember_manifest(loaded.manifest)
        store.remember_pages(loaded.id, loaded.version, loaded.raw_pages())
        earlier[loaded.id] = earlier_versions(store, loaded)
    endpoint = Endpoint(questionnaires, store, limits, earlier, allowed_origins)
    endpoint.digester = Digester(digest_key)
    paths = sorted({q.path for q in questionnaires.values()})
    # Every method reaches the endpoint, which answers 405 itself: otherwise the
    # static mount in front of which it sits would answer a GET with 404.
    routes: list[BaseRoute] = [Route(path, endpoint.counted, methods=METHODS) for path in paths]
    ops = Operations(store, endpoint.counters)  # /health and /metrics, for the operator
    routes += [Route("/health", ops.health), Route("/metrics", ops.metrics)]
    if serve_static:
        routes.append(Mount("/", BuiltFiles(build_dir)))
    middleware = []
    if allowed_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(allowed_origins),
                allow_methods=["POST"],
                allow_headers=["Content-Type"],
                expose_headers=["Retry-After"],  # the script says when to try again
                max_age=3600,
            )
        )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        endpoint.writer.close()
        ops.worker.close()
        store.close()

    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
