"""Every refusal as the client can use it: JSON for scripts, a real page for browsers.

A browser that posted the form (or asked for HTML) never gets bare text: it gets
the form page of its language and version with everything it sent filled back in
and the reason at the top (collect/fill.py), or, where the post could not be read
far enough to know its questionnaire and answers, that questionnaire's error page
with the reason and a way back. The page's language is the one posted, else the
best of the browser's Accept-Language among those published, else the source
language. Either way it has the Exit button, the styles and the CSP of the build.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from babel.core import negotiate_locale
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..strings import Strings
from .answers import Problem
from .bodies import Reject
from .fill import Message, Refill, fill, values_of
from .published import ERROR, FORM, Loaded

ERRORS_MARK = "<!--fw:errors-->"
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    # the refused page is posted again: it must send its origin (collect/origins.py)
    "Referrer-Policy": "strict-origin",
    "X-Content-Type-Options": "nosniff",
}
# The interface string that explains each refusal to a respondent (see catalogs/en.yaml).
REASONS = {
    503: "refused_unavailable",
    429: "refused_busy",
    410: "refused_closed",
    403: "refused_forbidden",
    409: "refused_duplicate",
}
# Refusals whose page does not hand the answers back: under a 409 the answers of this
# submission are stored already, and a form that sent them again would only be refused again.
NOT_REFILLED = {409}
UNREADABLE = "refused_unreadable"


@dataclass
class Post:
    """What the endpoint has learnt about a post so far, for the page that refuses it."""

    wants_html: bool = False
    accept_language: str = ""
    questionnaire: Loaded | None = None  # the version whose page answers, when known
    current: Loaded | None = None  # the built version, for links to the current form
    language: str | None = None
    pairs: list[tuple[str, str]] | None = None  # the form's fields, to fill back in
    submission_id: str = ""
    problems: list[Problem] = field(default_factory=list)


def wants_html(content_type: str, accept: str) -> bool:
    """A form post, or a client that asked for a page rather than for JSON."""
    if content_type.split(";", 1)[0].strip().lower() == "application/x-www-form-urlencoded":
        return True
    accepted = [part.split(";", 1)[0].strip().lower() for part in accept.split(",")]
    return "text/html" in accepted and "application/json" not in accepted


def _preferred(header: str) -> list[str]:
    weighted = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and tag != "*" and q > 0:
            weighted.append((-q, position, tag.strip().replace("_", "-")))
    return [tag for _, _, tag in sorted(weighted)]


def choose_language(post: Post, loaded: Loaded) -> str:
    published: Sequence[str] = loaded.manifest["languages"]
    if post.language in published:
        return str(post.language)
    chosen = negotiate_locale(_preferred(post.accept_language), list(published), sep="-")
    if chosen in published:
        return str(chosen)
    source = str(loaded.manifest.get("language") or published[0])
    return source if source in published else str(published[0])


def _current_form(post: Post, lang: str) -> tuple[str, str] | None:
    current = post.current or post.questionnaire
    if current is None:
        return None
    if lang in current.manifest["languages"]:
        return f"/{current.id}/{lang}/index.html", "open_current"
    return f"/{current.id}/", "open_current"


def _reason(reject: Reject, strings: Strings) -> str:
    key = REASONS.get(reject.status, UNREADABLE)
    if key == "refused_busy":
        retry = reject.headers.get("Retry-After", "60")
        minutes = max(1, math.ceil(int(retry) / 60)) if retry.isdigit() else 1
        return strings(key, count=minutes)
    return strings(key)


def refuse(reject: Reject, post: Post, fallback: Loaded) -> Response:
    """The answer to a refused post: JSON, or a page in the respondent's language."""
    headers = {**SECURITY_HEADERS, **reject.headers}
    if not post.wants_html:
        if reject.status == 422:
            errors = [p.as_json() for p in post.problems]
            return JSONResponse({"errors": errors}, status_code=422, headers=headers)
        return JSONResponse({"error": reject.message}, status_code=reject.status, headers=headers)
    loaded = post.questionnaire or fallback
    lang = choose_language(post, loaded)
    strings = Strings(lang)
    link = None
    if reject.status == 410:
        where = _current_form(post, lang)
        if where:
            link = (where[0], strings(where[1]))
    form = loaded.page(FORM, lang)
    if post.pairs is not None and form is not None and reject.status not in NOT_REFILLED:
        if reject.status == 422:
            messages = [Message(p.message, p.field) for p in post.problems]
        else:
            messages = [Message(_reason(reject, strings))]
        refill = Refill(
            values_of(post.pairs),
            messages,
            strings("error_prefix"),
            notes=[strings("kept_answers")],
            link=link,
            submission_id=post.submission_id,
        )
        page = fill(form, refill)
    else:
        items = [_reason(reject, strings)]
        if reject.status == 422:
            items = [p.message for p in post.problems]
        listed = "".join(f"<li>{html.escape(text)}</li>" for text in items)
        if link:
            listed += f'<li><a href="{html.escape(link[0])}">{html.escape(link[1])}</a></li>'
        error_page = loaded.page(ERROR, lang) or fallback.page(ERROR, lang)
        if error_page is None or ERRORS_MARK not in error_page:
            error_page = f"<!doctype html><title>Error</title><ul>{ERRORS_MARK}</ul>"
        page = error_page.replace(ERRORS_MARK, listed, 1)
    headers.pop("Content-Type", None)
    return HTMLResponse(page, status_code=reject.status, headers=headers)
