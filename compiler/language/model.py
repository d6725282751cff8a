"""The questionnaire as typed objects, each keeping the YAML node it came from.

`build_model` runs after the JSON Schema pass and is tolerant: parts that
failed structurally are skipped (their errors are already reported), so the
semantic checks can still look at everything else in the same run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..languages import normalise_tag
from ..yamlnodes import Mapping, Node, Scalar, Sequence, key_value
from .conditions import Expr

Code = int | str

DEFAULT_ENDPOINT = "/responses"
# A text answer without max_length is held to this many characters, so that a full
# response always fits what the endpoint accepts (FW502 checks the total).
DEFAULT_MAX_LENGTH = {"text": 500, "textarea": 2000}
DEFAULT_GRACE_DAYS = 7  # an earlier version stays open this long after a newer one
ANSWERLESS = {"statement", "calculate"}  # nothing the respondent answers
CHOICE_TYPES = {"single", "multiple", "matrix", "scale"}


@dataclass
class Option:
    code: Code
    label: str
    node: Scalar  # the key that holds the code
    specify: str | None = None
    exclusive: bool = False
    exclusive_node: Node | None = None
    specify_node: Node | None = None


@dataclass
class Rule:
    """A check with its own message (`rules:` on a question or a page). Version 2."""

    must: str
    must_node: Scalar
    message: str
    message_node: Scalar
    key: str  # its message's translation key
    # validation's output: the expression's manifest tree
    tree: dict[str, object] | None = None


@dataclass
class Band:
    """A labelled range of a calculated number."""

    minimum: float
    maximum: float
    label: str
    node: Mapping


@dataclass
class Group:
    """Questions on one page that share one condition."""

    id: str
    node: Mapping
    when: str | None = None
    when_node: Scalar | None = None
    condition: Expr | None = None
    condition_json: dict[str, object] | None = None
    questions: list[Question] = field(default_factory=list)


@dataclass
class Question:
    id: str
    type: str
    text: str
    node: Mapping
    page: Page
    hint: str | None = None
    required: bool = False
    when: str | None = None
    when_node: Scalar | None = None
    condition: Expr | None = None
    # Validation's output (validate/conditions.py): the condition's tree with words
    # resolved to option codes. None until validated; compile and render read it.
    condition_json: dict[str, object] | None = None
    options: list[Option] = field(default_factory=list)
    option_list: str | None = None
    items: list[Option] = field(default_factory=list)
    points: list[Option] = field(default_factory=list)
    extra: list[Option] = field(default_factory=list)
    max_choices: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    precision: str = "day"
    date_min: str | None = None
    date_max: str | None = None
    # version 2
    group: Group | None = None
    rules: list[Rule] = field(default_factory=list)
    messages: dict[str, str] = field(default_factory=dict)  # kind -> designer's message
    message_nodes: dict[str, Scalar] = field(default_factory=dict)
    pattern: str | None = None
    text_format: str | None = None  # `format:`, e.g. postcode-district
    privacy_hint: str | None = None
    value: str | None = None  # a calculated value's expression
    value_node: Scalar | None = None
    value_tree: object = None  # validation's output (a value tree), as condition_json
    value_type: str | None = None  # what the expression gives: number, text, date, bool
    bands: list[Band] = field(default_factory=list)

    @property
    def choices(self) -> list[Option]:
        """Every answer a respondent can pick (for a scale: points, then extras)."""
        return self.points + self.extra if self.type == "scale" else self.options

    def get(self, key: str) -> Node | None:
        return self.node.get(key)


@dataclass
class Page:
    id: str
    title: str
    node: Mapping
    when: str | None = None
    when_node: Scalar | None = None
    condition: Expr | None = None
    condition_json: dict[str, object] | None = None  # validation's output, as on Question
    questions: list[Question] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)


@dataclass
class Questionnaire:
    path: str
    node: Mapping
    format_version: int = 1  # the `formwright:` key
    id: str = ""
    version: str = ""
    title: str = ""
    language: str = "en"
    translations: list[str] = field(default_factory=list)
    endpoint: str = DEFAULT_ENDPOINT
    time_budget_minutes: int | None = None
    grace_period_days: int = DEFAULT_GRACE_DAYS
    quick_exit: str | None = None
    intro: str | None = None
    option_lists: dict[str, list[Option]] = field(default_factory=dict)
    option_list_nodes: dict[str, Scalar] = field(default_factory=dict)
    hidden: dict[str, list[str]] = field(default_factory=dict)  # field -> allowed values
    hidden_nodes: dict[str, Scalar] = field(default_factory=dict)
    pages: list[Page] = field(default_factory=list)
    source_text: str = ""  # the file as read, to place positions inside long values

    @property
    def questions(self) -> list[Question]:
        return [q for p in self.pages for q in p.questions]


def _str(node: Node | None) -> str | None:
    if isinstance(node, Scalar) and isinstance(node.value, str):
        return node.value
    return None


def _int(node: Node | None) -> int | None:
    # JSON Schema counts 5.0 as an integer, so the model must too
    if isinstance(node, Scalar) and type(node.value) is int:
        return node.value
    if isinstance(node, Scalar) and type(node.value) is float and node.value.is_integer():
        return int(node.value)
    return None


def _num(node: Node | None) -> float | None:
    if isinstance(node, Scalar) and type(node.value) in (int, float):
        return node.value  # type: ignore[return-value]
    return None


def _labels(node: Node | None) -> list[Option]:
    out: list[Option] = []
    if isinstance(node, Mapping):
        for key, value in node:
            label = _str(value)
            if label is not None:
                out.append(Option(key_value(key), label, key))
    return out


def build_options(node: Node | None) -> list[Option]:
    out: list[Option] = []
    if not isinstance(node, Mapping):
        return out
    for key, value in node:
        code = key_value(key)
        if isinstance(value, Mapping):
            label = _str(value.get("label")) or ""
            exclusive = value.get("exclusive")
            out.append(
                Option(
                    code,
                    label,
                    key,
                    specify=_str(value.get("specify")),
                    exclusive=isinstance(exclusive, Scalar) and exclusive.value is True,
                    exclusive_node=exclusive,
                    specify_node=value.get("specify"),
                )
            )
        elif (text := _str(value)) is not None:
            out.append(Option(code, text, key))
    return out


def _rules(node: Node | None, prefix: str) -> list[Rule]:
    out: list[Rule] = []
    for n, rule in enumerate(node if isinstance(node, Sequence) else [], start=1):
        if not isinstance(rule, Mapping):
            continue
        must, message = rule.get("must"), rule.get("message")
        texts = isinstance(must, Scalar) and isinstance(message, Scalar)
        if texts and isinstance(must.value, str) and isinstance(message.value, str):  # type: ignore[union-attr]
            key = f"{prefix}.rules.{n}"
            out.append(Rule(must.value, must, message.value, message, key))  # type: ignore[arg-type, union-attr]
    return out


def _bands(node: Node | None) -> list[Band]:
    out: list[Band] = []
    for band in node if isinstance(node, Sequence) else []:
        if isinstance(band, Mapping):
            low, high, label = _num(band.get("min")), _num(band.get("max")), _str(band.get("label"))
            if low is not None and high is not None and label is not None:
                out.append(Band(low, high, label, band))
    return out


def _version2(q: Question, node: Mapping) -> None:
    q.rules = _rules(node.get("rules"), f"questions.{q.id}")
    messages = node.get("messages")
    if isinstance(messages, Mapping):
        for key, value in messages:
            if (text := _str(value)) is not None and isinstance(value, Scalar):
                q.messages[key.text] = text
                q.message_nodes[key.text] = value
    q.pattern = _str(node.get("pattern"))
    q.text_format = _str(node.get("format"))
    q.privacy_hint = _str(node.get("privacy_hint"))
    expression = node.get("value")
    q.value = _str(expression)
    q.value_node = expression if isinstance(expression, Scalar) else None
    q.bands = _bands(node.get("bands"))


def _question(node: Mapping, page: Page, lists: dict[str, list[Option]]) -> Question | None:
    qid, qtype = _str(node.get("id")), _str(node.get("type"))
    if qid is None or qtype is None:
        return None
    when_node = node.get("when")
    q = Question(
        id=qid,
        type=qtype,
        text=_str(node.get("text")) or "",
        node=node,
        page=page,
        hint=_str(node.get("hint")),
        required=isinstance(r := node.get("required"), Scalar) and r.value is True,
        when=_str(when_node),
        when_node=when_node if isinstance(when_node, Scalar) else None,
        max_choices=_int(node.get("max_choices")),
        max_length=_int(node.get("max_length")) or DEFAULT_MAX_LENGTH.get(qtype),
        integer=isinstance(i := node.get("integer"), Scalar) and i.value is True,
        precision=_str(node.get("precision")) or "day",
    )
    options = node.get("options")
    if (name := _str(options)) is not None:
        q.option_list = name
        q.options = lists.get(name, [])
    else:
        q.options = build_options(options)
    q.items = _labels(node.get("items"))
    q.points = _labels(node.get("points"))
    q.extra = _labels(node.get("extra"))
    if qtype == "number":
        q.minimum, q.maximum = _num(node.get("min")), _num(node.get("max"))
    if qtype == "date":
        q.date_min, q.date_max = _str(node.get("min")), _str(node.get("max"))
    _version2(q, node)
    return q


def _group(node: Mapping, page: Page, lists: dict[str, list[Option]]) -> Group | None:
    gid = _str(node.get("id"))
    if gid is None:
        return None
    when_node = node.get("when")
    group = Group(
        id=gid,
        node=node,
        when=_str(when_node),
        when_node=when_node if isinstance(when_node, Scalar) else None,
    )
    questions = node.get("questions")
    for q_node in questions if isinstance(questions, Sequence) else []:
        # a group inside a group is refused by validation; its questions are skipped here
        nested = isinstance(q_node, Mapping) and _str(q_node.get("type")) == "group"
        if isinstance(q_node, Mapping) and not nested and (q := _question(q_node, page, lists)):
            q.group = group
            group.questions.append(q)
    return group


def build_model(path: str, root: Mapping) -> Questionnaire:
    qn = Questionnaire(path=path, node=root)
    version = _int(root.get("formwright"))
    qn.format_version = version if version in (1, 2) else 1
    qn.id = _str(root.get("id")) or ""
    qn.version = _str(root.get("version")) or ""
    qn.title = _str(root.get("title")) or ""
    language = _str(root.get("language")) or "en"
    qn.language = normalise_tag(language) or language
    translations = root.get("translations")
    if isinstance(translations, Sequence):
        qn.translations = [t for n in translations if (t := _str(n))]
    qn.endpoint = _str(root.get("endpoint")) or DEFAULT_ENDPOINT
    qn.time_budget_minutes = _int(root.get("time_budget_minutes"))
    grace = _int(root.get("grace_period_days"))
    qn.grace_period_days = DEFAULT_GRACE_DAYS if grace is None else grace
    qn.quick_exit = _str(root.get("quick_exit"))
    qn.intro = _str(root.get("intro"))
    lists = root.get("option_lists")
    if isinstance(lists, Mapping):
        for key, value in lists:
            qn.option_lists[key.text] = build_options(value)
            qn.option_list_nodes[key.text] = key
    hidden = root.get("hidden")
    if isinstance(hidden, Mapping):
        for key, value in hidden:
            if isinstance(value, Sequence):
                qn.hidden[key.text] = [v for n in value if (v := _str(n)) is not None]
                qn.hidden_nodes[key.text] = key
    pages = root.get("pages")
    for page_node in pages if isinstance(pages, Sequence) else []:
        if not isinstance(page_node, Mapping):
            continue
        pid = _str(page_node.get("id"))
        if pid is None:
            continue
        when_node = page_node.get("when")
        page = Page(
            id=pid,
            title=_str(page_node.get("title")) or "",
            node=page_node,
            when=_str(when_node),
            when_node=when_node if isinstance(when_node, Scalar) else None,
        )
        page.rules = _rules(page_node.get("rules"), f"pages.{pid}")
        questions = page_node.get("questions")
        for q_node in questions if isinstance(questions, Sequence) else []:
            if not isinstance(q_node, Mapping):
                continue
            if _str(q_node.get("type")) == "group":
                if group := _group(q_node, page, qn.option_lists):
                    page.groups.append(group)
                    page.questions.extend(group.questions)
            elif q := _question(q_node, page, qn.option_lists):
                page.questions.append(q)
        qn.pages.append(page)
    return qn
