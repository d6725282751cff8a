"""Type-check one expression against the questionnaire, and resolve its names.

Every name must be an earlier answer (a question, a calculated value, a hidden
field); each operator and function must fit what its operands are; a bare word
beside a choice question is one of its option codes. What is found is reported
at its character, every problem at once; what is resolved (codes, dates) goes
into `resolve` for the manifest's tree.
"""

from __future__ import annotations

from ..diagnostics import Diagnostic, did_you_mean, make
from ..language import conditions as c
from ..language import tree as t
from ..language.formats import parse_date
from ..language.model import CHOICE_TYPES, Question, Questionnaire
from ..patterns import RegexError, check
from ..yamlnodes import Scalar
from .functions import call
from .kinds import BOOL, DAY, NUMBER, ORDERED, TEXT, Type, compatible
from .positions import position

_KIND_WORDS = {"single": "single-choice", "multiple": "multiple-choice"}
_VERBS = {"+": "added to", "-": "subtracted from", "*": "multiplied by", "/": "divided by"}
_ARITH_HINT = (
    "arithmetic takes numbers: number questions, calculated numbers, and choices "
    "whose codes are all numbers (e.g. a scale)"
)


class Typer:
    """Checks expressions of one owner (a question, page, group, rule or calculated value)."""

    def __init__(
        self,
        qn: Questionnaire,
        by_id: dict[str, Question],
        node: Scalar,
        available: set[str],
        owner: object,
    ) -> None:
        self.qn, self.by_id, self.node = qn, by_id, node
        self.available, self.owner = available, owner
        self.out: list[Diagnostic] = []
        self.resolve: dict[int, c.JSONValue] = {}
        self.names: set[int] = set()  # words beside a test that are questions, not codes

    def err(self, code: str, pos: int, message: str, hint: str = "") -> None:
        line, col = position(self.qn.source_text, self.node, pos)
        self.out.append(make(code, self.qn.path, line, col, message, hint))

    # --- names ---------------------------------------------------------------

    def known(self, name: str) -> bool:
        return name in self.by_id or name in self.qn.hidden

    def ref(self, ref: t.Ref) -> Type | None:
        if ref.question in self.qn.hidden and ref.question not in self.by_id:
            values = tuple(self.qn.hidden[ref.question])
            if ref.item is not None:
                self.err("FW307", ref.pos, f"the hidden field {ref.question!r} has no items")
                return None
            return Type("code", codes=values)
        q = self.by_id.get(ref.question)
        if q is None:
            names = [x.id for x in self.qn.questions if x.type != "statement"]
            hint = did_you_mean(ref.question, [*names, *self.qn.hidden])
            first, minus, rest = ref.question.partition("-")
            if minus and self.known(first):
                # `total-5` is one word (codes may hold '-'): the designer meant a sum
                hint = f"to subtract, put a space before or after the minus: {first} - {rest}"
            self.err("FW302", ref.pos, f"there is no question {ref.question!r}", hint)
            return None
        if q.type == "statement":
            self.err(
                "FW304",
                ref.pos,
                f"{q.id!r} is a statement and has no answer",
                "a condition can only test questions that take an answer",
            )
            return None
        if q.id not in self.available:
            itself = q is self.owner
            where = "itself" if itself else "a question that is asked later"
            hint = (
                "a question cannot depend on its own answer"
                if itself
                else "move the question after the one it depends on"
            )
            self.err(
                "FW303",
                ref.pos,
                f"{q.id!r} is {where}; a condition can only use earlier answers",
                hint,
            )
            return None
        if not self.item(q, ref):
            return None
        if q.type == "calculate":
            if q.value_type is None:
                return None  # its own expression is wrong: reported there
            return Type(q.value_type)
        if q.type in CHOICE_TYPES:
            return Type("codes" if q.type == "multiple" else "code", q)
        if q.type == "number":
            return NUMBER
        if q.type == "date":
            return Type("date", precision=q.precision)
        return TEXT

    def item(self, q: Question, ref: t.Ref) -> bool:
        items = [str(i.code) for i in q.items]
        if q.type == "matrix" and ref.item is None:
            hint = f"e.g. {q.id}.{items[0]}" if items else ""
            self.err("FW307", ref.pos, f"{q.id!r} is a matrix; name one of its items", hint)
            return False
        if q.type != "matrix" and ref.item is not None:
            self.err(
                "FW307",
                ref.pos,
                f"{q.id!r} is a {q.type} question and has no items",
                f"write {q.id} alone",
            )
            return False
        if ref.item is not None and ref.item not in items:
            hint = did_you_mean(ref.item, items) or "its items: " + ", ".join(items)
            self.err("FW307", ref.pos, f"the matrix {q.id!r} has no item {ref.item!r}", hint)
            return False
        return True

    def what(self, node: t.Value, typ: Type) -> str:
        """'crime_type' is a single-choice question / 'x' is text, for messages."""
        if isinstance(node, t.Ref) and (q := self.by_id.get(node.question)) is not None:
            if q.type == "calculate":
                return f"{q.id!r} is a calculated {typ.kind if typ.kind != 'bool' else 'test'}"
            return f"{node.field!r} is a {_KIND_WORDS.get(q.type, q.type)} question"
        if isinstance(node, t.Ref) and node.question in self.qn.hidden:
            return f"the hidden field {node.question!r} holds codes"
        if isinstance(node, t.Literal):
            return f"{node.value!r} is text" if node.kind == "string" else f"{node.value} is a date"
        words = {
            "bool": "a test (true or false)",
            "codes": "a list of options",
            "code": "an option",
        }
        return f"this is {words.get(typ.kind, typ.kind)}"

    # --- values -----------------------------------------------------------------

    def boolean(self, expr: t.Value) -> bool:
        """Check an expression that must be true or false (a condition or a rule)."""
        before = len(self.out)
        typ = self.value(expr)
        if typ is not None and typ.kind != "bool" and len(self.out) == before:
            field = expr.field if isinstance(expr, t.Ref) else None
            message = (
                f"expected a comparison after {field!r}, found the end of the condition"
                if field
                else "this gives a value, not a test that is true or false"
            )
            self.err(
                "FW301",
                t.start(expr),
                message,
                "use == != < <= > >=, in [...], not in [...], contains, or answered(question)",
            )
        return len(self.out) == before

    def value(self, node: t.Value) -> Type | None:
        if isinstance(node, t.Literal):
            if node.kind == "number":
                return NUMBER
            if node.kind == "today":
                return DAY
            if node.kind == "string":
                return TEXT
            return None
        if isinstance(node, t.Ref):
            return self.ref(node)
        if isinstance(node, t.Neg | t.Arith):
            args = (node.arg,) if isinstance(node, t.Neg) else (node.left, node.right)
            op = "-" if isinstance(node, t.Neg) else node.op
            ok = True
            for arg in args:
                typ = self.value(arg)
                if typ is not None and not typ.numeric():
                    ok = False
                    self.err(
                        "FW310",
                        t.start(arg),
                        f"{self.what(arg, typ)}; it cannot be {_VERBS[op]} a number",
                        "dates are not numbers: use days_between(a, b), months_between(a, b) "
                        "or years_between(a, b)"
                        if typ.kind == "date"
                        else _ARITH_HINT,
                    )
                elif typ is None:
                    ok = False
            return NUMBER if ok else None
        if isinstance(node, t.Not):
            return BOOL if self.boolean(node.arg) else None
        if isinstance(node, t.BoolOp):
            results = [self.boolean(a) for a in node.args]
            return BOOL if all(results) else None
        if isinstance(node, t.Call):
            return call(self, node)
        return self.test(node)

    # --- comparisons ----------------------------------------------------------------

    def test(self, node: t.Compare | t.Member | t.Contains) -> Type | None:
        op = "contains" if isinstance(node, t.Contains) else getattr(node, "op", "in")
        if isinstance(node, t.Member):
            op = "not in" if node.negated else "in"
            others: tuple[t.Value, ...] = node.values
        else:
            others = (node.value if isinstance(node, t.Contains) else node.right,)
        left = node.left
        if (
            not isinstance(node, t.Contains)
            and isinstance(left, t.Literal | t.Ref)
            and not self.is_name(left)
            and len(others) == 1
            and self.is_name(others[0])
        ):
            left, others = others[0], (left,)  # `yes == reported` reads as `reported == yes`
            op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
        typ = self.value(left)
        if typ is None:
            for other in others:
                if self.is_name(other) or not isinstance(other, t.Literal | t.Ref):
                    self.value(other)
            return None
        if not self.fits(left, typ, op):
            return None
        ok = all(self.against(other, typ, op, left) for other in others)
        return BOOL if ok else None

    def is_name(self, node: t.Value) -> bool:
        return isinstance(node, t.Ref) and self.known(node.question)

    def fits(self, left: t.Value, typ: Type, op: str) -> bool:
        name = left.field if isinstance(left, t.Ref) else None
        q = self.by_id.get(left.question) if isinstance(left, t.Ref) else None
        kind = q.type if q is not None and q.type != "calculate" else typ.kind
        if (op == "contains") != (typ.kind == "codes"):
            if name is None:
                self.err("FW306", t.start(left), f"'{op}' does not fit {self.what(left, typ)}")
                return False
            hint = (
                f"use: {name} contains CODE"
                if typ.kind == "codes"
                else "contains is for multiple-choice questions; use == or in [...]"
            )
            self.err(
                "FW306", t.start(left), f"{op!r} does not fit the {kind} question {name!r}", hint
            )
            return False
        if op in ORDERED and not self.ordered(typ):
            hint = (
                "use == or in [...] with its codes"
                if typ.kind == "code"
                else f"compare its text with == '...', or use answered({name})"
            )
            subject = f"{name!r} is a {kind} question" if name else self.what(left, typ)
            self.err(
                "FW306",
                t.start(left),
                f"{op!r} needs numbers or dates, but {subject} whose answers are not numbers",
                hint,
            )
            return False
        if typ.kind == "bool" and op not in ("==", "!="):
            self.err("FW306", t.start(left), f"{op!r} does not fit a test that is true or false")
            return False
        return True

    @staticmethod
    def ordered(typ: Type) -> bool:
        if typ.kind in ("number", "date"):
            return True
        if typ.kind == "code" and typ.q is not None:
            q = typ.q
            if q.type == "scale":
                return True
            return bool(q.options) and all(isinstance(o.code, int) for o in q.options)
        return False

    def against(self, node: t.Value, typ: Type, op: str, left: t.Value) -> bool:
        """Check the other side of a comparison with `left` (of type typ)."""
        before = len(self.out)
        word = isinstance(node, t.Ref) and node.item is None
        if isinstance(node, t.Literal) or (word and not self.is_name(node)):
            self.literal(node, typ, op, left)  # type: ignore[arg-type]
            return len(self.out) == before
        if isinstance(node, t.Ref) and word and typ.kind in ("code", "codes") and op not in ORDERED:
            codes = typ.option_codes()
            if node.question in codes:
                self.resolve[node.pos] = codes[node.question]  # type: ignore[assignment]
                self.err(
                    "FW313",
                    node.pos,
                    f"{node.question!r} is both an option code of {left_name(left)!r} "
                    "and a question; it is read as the code",
                    "rename the question (or the code) to say the other",
                )
                return True
        other = self.value(node)
        if other is None:
            return False
        if isinstance(node, t.Ref):
            self.names.add(node.pos)
        if compatible(typ, other, op):
            return True
        self.err(
            "FW310",
            t.start(node),
            f"{self.what(node, other)}; it cannot be compared with "
            f"{self.what(left, typ).split(' is ', 1)[0]}",
            "compare numbers with numbers, dates with dates, texts with texts, "
            "and a choice with its codes",
        )
        return False

    def literal(self, lit: t.Literal | t.Ref, typ: Type, op: str, left: t.Value) -> None:
        """The old rules for a fixed value beside a question (round 1's messages)."""
        name = left_name(left)
        kind = lit.kind if isinstance(lit, t.Literal) else "word"
        raw = lit.value if isinstance(lit, t.Literal) else lit.question
        shown = f"'{raw}'" if kind == "string" else raw

        def bad(message: str, hint: str = "", code: str = "FW309") -> None:
            self.err(code, lit.pos, message, hint)

        if typ.kind in ("code", "codes"):
            if op in ORDERED:
                if kind != "number":
                    bad(f"{op!r} compares numbers; {shown} is not one", f"e.g. {name} <= 2")
                return
            codes = typ.option_codes()
            if str(raw) in codes:  # a code may even be called today
                self.resolve[lit.pos] = codes[str(raw)]  # type: ignore[assignment]
                return
            hint = did_you_mean(str(raw), list(codes)) or "its codes: " + ", ".join(codes)
            bad(f"{name!r} has no option with the code {shown}", hint, "FW305")
            return
        if typ.kind == "number":
            if kind != "number":
                bad(f"{name!r} is a number question; compare it with a number, not {shown}")
            return
        if typ.kind == "date":
            if kind == "today":
                return
            if kind == "string" and parse_date(str(raw)):
                self.resolve[lit.pos] = {"date": str(raw)}
                return
            bad(
                f"{name!r} is a date question; compare it with a date, not {shown}",
                "write the date in quotes as 'YYYY-MM-DD', or use today",
                "FW404" if kind == "string" else "FW309",
            )
            return
        if typ.kind == "bool":
            bad(f"{name!r} is a test; compare it with another test, not {shown}")
            return
        if kind == "string":
            return
        bad(
            f"{name!r} is a {self.kind_word(left, typ)} question; "
            "put the text it is compared with in quotes",
            f"{name} == '{raw}'",
        )

    def kind_word(self, left: t.Value, typ: Type) -> str:
        if isinstance(left, t.Ref) and (q := self.by_id.get(left.question)) is not None:
            return q.type
        return typ.kind

    def regex(self, lit: t.Value) -> bool:
        """A pattern given to matches(): quoted text in the linear-time subset."""
        if not (isinstance(lit, t.Literal) and lit.kind == "string"):
            self.err(
                "FW312",
                t.start(lit),
                "the pattern must be text in quotes",
                'e.g. matches(code, "[A-Z]{2}")',
            )
            return False
        try:
            self.resolve[lit.pos] = check(str(lit.value))
        except RegexError as err:
            # +1: the pattern starts after its opening quote
            self.err("FW312", lit.pos + 1 + err.pos, err.message, err.hint)
            return False
        return True


def left_name(node: t.Value) -> str:
    return node.question if isinstance(node, t.Ref) else "this"
