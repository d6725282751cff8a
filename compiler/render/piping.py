"""Placeholders in a page: each `{name|fallback}` becomes a span the script fills in.

Without JavaScript (and before an answer is known) the span holds the designer's
fallback, translated with its text. The value the script writes is text, never
markup, so a piped answer cannot inject anything; and pages never pipe into
<title> (validation refuses placeholders in titles).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from markupsafe import Markup, escape

from ..language.piping import Placeholder, split

# Stand-ins for placeholders while Markdown is rendered: private-use characters,
# which no questionnaire text contains and the Markdown parser leaves alone.
_OPEN, _CLOSE = "\ue000", "\ue001"


def _span(p: Placeholder, missing: str) -> Markup:
    shown = p.fallback if p.fallback is not None else missing
    if p.forms:
        # the script picks the form with Intl.PluralRules, CLDR's rules in the browser
        forms = json.dumps(dict(p.forms), ensure_ascii=False, sort_keys=True)
        return Markup('<span data-fw-pipe="{}" data-fw-plural="{}">{}</span>').format(
            p.name, forms, shown
        )
    return Markup('<span data-fw-pipe="{}">{}</span>').format(p.name, shown)


def inline(text: str, missing: str) -> Markup:
    """A plain text (question, hint, label) with its placeholders as spans."""
    return Markup("").join(
        escape(piece) if isinstance(piece, str) else _span(piece, missing) for piece in split(text)
    )


def markdown(text: str, missing: str, render: Callable[[str], Markup]) -> Markup:
    """A Markdown text (a statement) with its placeholders as spans."""
    pieces = split(text)
    holders = [p for p in pieces if isinstance(p, Placeholder)]
    if not holders:
        return render(text.replace("{{", "{").replace("}}", "}"))
    marked = "".join(
        piece if isinstance(piece, str) else f"{_OPEN}{holders.index(piece)}{_CLOSE}"
        for piece in pieces
    )
    html = str(render(marked))
    for n, p in enumerate(holders):
        html = html.replace(f"{_OPEN}{n}{_CLOSE}", str(_span(p, missing)))
    return Markup(html)
