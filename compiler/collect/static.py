"""build/ served as files (for `formwright serve`), with the headers a production host sends.

Every file gets `X-Content-Type-Options: nosniff`; every page (`*.html`) also gets
`Cache-Control: no-store` and, as headers, the Content-Security-Policy and the
referrer policy the page itself declares in its `<meta>` tags, read from the page so
that they are always the build's own.
"""

from __future__ import annotations

import os
from html.parser import HTMLParser
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

PAGE_HEADERS = {"Cache-Control": "no-store"}
FILE_HEADERS = {"X-Content-Type-Options": "nosniff"}


class _Metas(HTMLParser):
    """The CSP and referrer policy a page's head declares."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta":
            return
        values = {name: value or "" for name, value in attrs}
        content = values.get("content", "")
        if values.get("http-equiv", "").lower() == "content-security-policy":
            self.found.setdefault("Content-Security-Policy", content)
        elif values.get("name", "").lower() == "referrer":
            self.found.setdefault("Referrer-Policy", content)


def declared_headers(page: str) -> dict[str, str]:
    """The page's CSP and referrer policy as headers (only values a header can carry)."""
    head = page.split("</head>", 1)[0]
    parser = _Metas()
    parser.feed(head)
    parser.close()
    return {
        name: value.strip()
        for name, value in parser.found.items()
        if value.strip() and value.isascii() and not any(c in value for c in "\r\n")
    }


class BuiltFiles(StaticFiles):
    """StaticFiles over build/, adding the security headers; pages read once per change."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory, html=True)
        self._declared: dict[str, tuple[tuple[int, int], dict[str, str]]] = {}

    def _page_headers(self, path: str, stat: os.stat_result) -> dict[str, str]:
        key = (stat.st_mtime_ns, stat.st_size)
        known = self._declared.get(path)
        if known is None or known[0] != key:
            text = Path(path).read_text("utf-8", errors="replace")
            known = (key, declared_headers(text))
            self._declared[path] = known
        return known[1]

    def file_response(
        self, full_path: PathLike, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers.update(FILE_HEADERS)
        path = os.fspath(full_path)
        if path.endswith(".html"):
            response.headers.update(PAGE_HEADERS)
            response.headers.update(self._page_headers(path, stat_result))
        return response
