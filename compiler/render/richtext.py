"""The Markdown subset for intros and statements: paragraphs, bold, italic, links, lists.

markdown-it-py does the parsing, with raw HTML off and only these rules on;
its link validator already refuses javascript:, vbscript: and data: URLs.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

RULES = ["emphasis", "link", "list", "newline"]


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    md.enable(RULES)
    # Links never tell the target where the respondent came from.
    md.add_render_rule("link_open", _link_open)
    return md


def _link_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    tokens[idx].attrSet("rel", "noreferrer")
    return self.renderToken(tokens, idx, options, env)  # type: ignore[no-any-return]


def render(text: str) -> Markup:
    # The parser escapes every character of the source; its output is safe HTML.
    return Markup(_parser().render(text).strip())
