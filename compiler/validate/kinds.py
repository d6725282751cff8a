"""What an expression's parts are, for the type checker (types.py, functions.py)."""

from __future__ import annotations

from dataclasses import dataclass

from ..language.model import Question

ORDERED = {"<", "<=", ">", ">="}


@dataclass(frozen=True)
class Type:
    kind: str  # number, text, date, code, codes, bool
    q: Question | None = None  # whose codes, for code and codes
    precision: str = "day"
    codes: tuple[object, ...] = ()  # a hidden field's values (q is None)

    def numeric(self) -> bool:
        if self.kind == "number":
            return True
        if self.kind in ("code", "codes") and self.q is not None:
            return any(isinstance(o.code, int) for o in self.q.choices)
        return False

    def option_codes(self) -> dict[str, object]:
        if self.q is not None:
            return {str(o.code): o.code for o in self.q.choices}
        return {str(code): code for code in self.codes}


NUMBER, TEXT, BOOL, DAY = Type("number"), Type("text"), Type("bool"), Type("date")


def compatible(a: Type, b: Type, op: str) -> bool:
    if op in ORDERED:
        return (a.numeric() and b.numeric()) or (a.kind == b.kind == "date")
    if a.kind in ("code", "codes") and b.kind in ("code", "codes"):
        return True
    if a.numeric() and b.numeric():
        return True
    return a.kind == b.kind and a.kind in ("text", "date", "bool")
