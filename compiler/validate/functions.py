"""What each function of the expression language takes and gives, checked at build time."""

from __future__ import annotations

from typing import Any

from ..language import tree as t
from ..language.formats import parse_date
from .kinds import BOOL, NUMBER, Type

_DATE_NEEDS = {"days_between": ("day",), "months_between": ("day", "month")}
_ARITY = {
    "answered": (1, 1),
    "round": (2, 2),
    "if": (3, 3),
    "matches": (2, 2),
    "length": (1, 1),
    "days_between": (2, 2),
    "months_between": (2, 2),
    "years_between": (2, 2),
}
_SIGNATURE = {
    "answered": "answered(question)",
    "sum": "sum(a, b, ...)",
    "count": "count(a, b, ...)",
    "min": "min(a, b, ...)",
    "max": "max(a, b, ...)",
    "round": "round(number, places)",
    "if": "if(test, then, else)",
    "matches": 'matches(text, "pattern")',
    "length": "length(text)",
    "days_between": "days_between(from_date, to_date)",
    "months_between": "months_between(from_date, to_date)",
    "years_between": "years_between(from_date, to_date)",
}


def call(typer: Any, node: t.Call) -> Type | None:
    """The type of a call, reporting what does not fit (typer: types.Typer)."""
    low, high = _ARITY.get(node.name, (1, 64))
    if not low <= len(node.args) <= high:
        wanted = f"{low}" if low == high else f"at least {low}"
        typer.err(
            "FW311",
            node.pos,
            f"{node.name}() takes {wanted} argument{'s' if low > 1 else ''}, not {len(node.args)}",
            f"write {_SIGNATURE[node.name]}",
        )
        return None
    name = node.name
    if name == "answered":
        arg = node.args[0]
        return BOOL if isinstance(arg, t.Ref) and typer.ref(arg) is not None else None
    if name == "if":
        ok = typer.boolean(node.args[0])
        a, b = typer.value(node.args[1]), typer.value(node.args[2])
        if not ok or a is None or b is None:
            return None
        if a.kind != b.kind and not (a.numeric() and b.numeric()):
            typer.err(
                "FW311",
                t.start(node.args[2]),
                "if() gives one kind of value: its two branches differ "
                f"({_word(a)} and {_word(b)})",
                "make both numbers, both texts or both dates",
            )
            return None
        return NUMBER if a.numeric() and b.numeric() else Type(a.kind, a.q)
    if name == "count":
        ok = True
        for arg in node.args:
            if not isinstance(arg, t.Ref):
                typer.err(
                    "FW311",
                    t.start(arg),
                    "count() counts answers: give it question ids",
                    "count(q) is the number of options chosen in a multiple-choice question",
                )
                ok = False
            elif typer.ref(arg) is None:
                ok = False
        return NUMBER if ok else None
    if name == "matches":
        text = _want(typer, node.args[0], "text", name)
        return BOOL if typer.regex(node.args[1]) and text else None
    if name == "length":
        return NUMBER if _want(typer, node.args[0], "text", name) else None
    if name in ("days_between", "months_between", "years_between"):
        return NUMBER if all(_date(typer, a, name) for a in node.args) else None
    if name == "round":
        places = node.args[1]
        ok = _want(typer, node.args[0], "number", name)
        if not (
            isinstance(places, t.Literal)
            and places.kind == "number"
            and isinstance(places.value, int)
            and 0 <= places.value <= 10
        ):
            typer.err(
                "FW311",
                t.start(places),
                "round() takes a whole number of places from 0 to 10",
                "e.g. round(x, 1)",
            )
            return None
        return NUMBER if ok else None
    ok = all([_want(typer, arg, "number", name) for arg in node.args])  # sum, min, max
    return NUMBER if ok else None


def _word(typ: Type) -> str:
    return {"bool": "a test", "code": "a choice", "codes": "choices"}.get(typ.kind, typ.kind)


def _want(typer: Any, arg: t.Value, kind: str, fn: str) -> bool:
    typ = typer.value(arg)
    if typ is None:
        return False
    fits = typ.numeric() if kind == "number" else typ.kind == kind
    if not fits:
        typer.err(
            "FW311",
            t.start(arg),
            f"{typer.what(arg, typ)}; {fn}() takes {'numbers' if kind == 'number' else kind}",
            f"write {_SIGNATURE[fn]}",
        )
    return bool(fits)


def _date(typer: Any, arg: t.Value, fn: str) -> bool:
    if isinstance(arg, t.Literal) and arg.kind == "string":
        if parse_date(str(arg.value)) is None:
            typer.err("FW404", arg.pos, f"{arg.value!r} is not a date", "write 'YYYY-MM-DD'")
            return False
        typer.resolve[arg.pos] = {"date": str(arg.value)}
        return True
    typ = typer.value(arg)
    if typ is None:
        return False
    if typ.kind != "date":
        typer.err(
            "FW311",
            t.start(arg),
            f"{typer.what(arg, typ)}; {fn}() takes dates",
            f"write {_SIGNATURE[fn]}",
        )
        return False
    needs = _DATE_NEEDS.get(fn)
    if needs and typ.precision not in needs:
        typer.err(
            "FW311",
            t.start(arg),
            f"{typer.what(arg, typ)} asking only for the {typ.precision}; {fn}() needs "
            + ("full dates" if needs == ("day",) else "at least the month"),
            "use months_between() or years_between() for dates given as a month"
            if typ.precision == "month"
            else "use years_between() for dates given as a year",
        )
        return False
    return True
