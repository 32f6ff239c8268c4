"""The tiny condition language of flows (`if:` in `next`), parsed here, never eval'd.

Flow authors write things like `status.tries_left <= 1 and not card.expired` or
`choice in ["unlock", "revoke"]`. Only comparisons, `and`/`or`/`not`, `in`, literals
(numbers, quoted strings, true/false/null, lists) and dotted names over the context are
allowed, so a flow file can never run code. A name that is not set evaluates to null and
an ordering comparison between unlike types is simply false: a condition never raises at
run time, and lint reports names that no step provides.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Value = object


class ExprError(ValueError):
    """A condition that does not parse; `offset` is the 0-based position in the text."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Literal:
    value: Value

    def evaluate(self, scope: Mapping[str, Value]) -> Value:
        return self.value

    def names(self) -> frozenset[str]:
        return frozenset()


@dataclass(frozen=True, slots=True)
class Name:
    path: str

    def evaluate(self, scope: Mapping[str, Value]) -> Value:
        return lookup(scope, self.path)

    def names(self) -> frozenset[str]:
        return frozenset({self.path})


@dataclass(frozen=True, slots=True)
class ListExpr:
    items: tuple[Expr, ...]

    def evaluate(self, scope: Mapping[str, Value]) -> Value:
        return [item.evaluate(scope) for item in self.items]

    def names(self) -> frozenset[str]:
        return frozenset().union(*(item.names() for item in self.items))


@dataclass(frozen=True, slots=True)
class Not:
    operand: Expr

    def evaluate(self, scope: Mapping[str, Value]) -> Value:
        return not self.operand.evaluate(scope)

    def names(self) -> frozenset[str]:
        return self.operand.names()


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: str  # "and" | "or"
    left: Expr
    right: Expr

    def evaluate(self, scope: Mapping[str, Value]) -> Value:
        left = bool(self.left.evaluate(scope))
        if self.op == "and":
            return left and bool(self.right.evaluate(scope))
        return left or bool(self.right.evaluate(scope))

    def names(self) -> frozenset[str]:
        return self.left.names() | self.right.names()


@dataclass(frozen=True, slots=True)
class Compare:
    op: str
    left: Expr
    right: Expr

    def evaluate(self, scope: Mapping[str, Value]) -> Value:
        return _COMPARE[self.op](self.left.evaluate(scope), self.right.evaluate(scope))

    def names(self) -> frozenset[str]:
        return self.left.names() | self.right.names()


Expr = Literal | Name | ListExpr | Not | BoolOp | Compare


def lookup(scope: Mapping[str, Value], path: str) -> Value:
    """Follow a dotted name through nested mappings; None when any part is missing."""
    value: Value = scope
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _ordered(op: Callable[[object, object], bool]) -> Callable[[Value, Value], bool]:
    def compare(left: Value, right: Value) -> bool:
        numbers = (int, float)
        both_numbers = (
            isinstance(left, numbers)
            and isinstance(right, numbers)
            and not isinstance(left, bool)
            and not isinstance(right, bool)
        )
        if both_numbers or (isinstance(left, str) and isinstance(right, str)):
            return op(left, right)
        return False

    return compare


def _contains(item: Value, container: Value) -> bool:
    if isinstance(container, str):
        return isinstance(item, str) and item in container
    if isinstance(container, list | tuple | dict):
        return item in container
    return False


_COMPARE: dict[str, Callable[[Value, Value], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": _ordered(lambda a, b: a < b),  # type: ignore[operator]
    "<=": _ordered(lambda a, b: a <= b),  # type: ignore[operator]
    ">": _ordered(lambda a, b: a > b),  # type: ignore[operator]
    ">=": _ordered(lambda a, b: a >= b),  # type: ignore[operator]
    "in": _contains,
    "not in": lambda a, b: not _contains(a, b),
}

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>-?\d+(?:\.\d+)?)
    | (?P<string>"[^"\\]*"|'[^'\\]*')
    | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
    | (?P<name>[^\W\d]\w*(?:\.\w+)*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "true", "false", "null"}

# A condition is one line a person reads; these bounds keep parsing, linting and
# evaluating it cheap and far from Python's recursion limit, whatever a file holds.
MAX_LENGTH = 1_000
MAX_DEPTH = 32  # parentheses, brackets and `not`s inside one another
MAX_DIGITS = 15
_LITERALS: dict[str, Value] = {"true": True, "false": False, "null": None}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # number | string | op | name | keyword | end
    text: str
    offset: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.lastgroup is None:
            start = len(text) - len(text[pos:].lstrip())
            hint = " (to compare, write '==')" if text[start] == "=" else ""
            raise ExprError(f"unexpected character {text[start]!r}{hint}", start)
        kind = match.lastgroup
        value, offset = match.group(kind), match.start(kind)
        if kind == "name" and value in _KEYWORDS:
            kind = "keyword"
        tokens.append(_Token(kind, value, offset))
        pos = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.pos = 0
        self.depth = 0

    def nested(self, token: _Token) -> None:
        """Count one more level of nesting at `token`; too many is a parse error."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(
                f"this condition is nested too deeply (more than {MAX_DEPTH} levels of "
                "parentheses, brackets or 'not'); split it into simpler steps",
                token.offset,
            )

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def accept(self, text: str) -> bool:
        if self.peek().text == text and self.peek().kind in ("op", "keyword"):
            self.pos += 1
            return True
        return False

    def expect(self, text: str) -> None:
        token = self.peek()
        if not self.accept(text):
            found = token.text or "the end of the condition"
            raise ExprError(f"expected {text!r} but found {found!r}", token.offset)

    def parse(self) -> Expr:
        expr = self.or_expr()
        token = self.peek()
        if token.kind != "end":
            raise ExprError(
                f"expected 'and', 'or' or the end of the condition, found {token.text!r}",
                token.offset,
            )
        return expr

    def or_expr(self) -> Expr:
        expr = self.and_expr()
        while self.accept("or"):
            expr = BoolOp("or", expr, self.and_expr())
        return expr

    def and_expr(self) -> Expr:
        expr = self.not_expr()
        while self.accept("and"):
            expr = BoolOp("and", expr, self.not_expr())
        return expr

    def not_expr(self) -> Expr:
        token = self.peek()
        if self.accept("not"):
            self.nested(token)
            operand = self.not_expr()
            self.depth -= 1
            return Not(operand)
        return self.comparison()

    def comparison(self) -> Expr:
        left = self.atom()
        token = self.peek()
        if token.text in _COMPARE and token.kind in ("op", "keyword"):
            self.take()
            return Compare(token.text, left, self.atom())
        if token.text == "not" and self.tokens[self.pos + 1].text == "in":
            self.pos += 2
            return Compare("not in", left, self.atom())
        return left

    def atom(self) -> Expr:
        token = self.take()
        if token.kind == "number":
            if len(token.text.lstrip("-").replace(".", "")) > MAX_DIGITS:
                raise ExprError(
                    f"this number is too long (more than {MAX_DIGITS} digits)", token.offset
                )
            return Literal(float(token.text) if "." in token.text else int(token.text))
        if token.kind == "string":
            return Literal(token.text[1:-1])
        if token.kind == "keyword" and token.text in _LITERALS:
            return Literal(_LITERALS[token.text])
        if token.kind == "name":
            return Name(token.text)
        if token.text == "(" and token.kind == "op":
            self.nested(token)
            expr = self.or_expr()
            self.expect(")")
            self.depth -= 1
            return expr
        if token.text == "[" and token.kind == "op":
            self.nested(token)
            items: list[Expr] = []
            if not self.accept("]"):
                items.append(self.atom())
                while self.accept(","):
                    items.append(self.atom())
                self.expect("]")
            self.depth -= 1
            return ListExpr(tuple(items))
        found = token.text or "the end of the condition"
        raise ExprError(
            f"expected a value (a name, a number, a quoted text, true/false/null) "
            f"but found {found!r}",
            token.offset,
        )


def parse(text: str) -> Expr:
    """Parse a condition; raises ExprError with the offset of the first problem."""
    if len(text) > MAX_LENGTH:
        raise ExprError(
            f"this condition is too long ({len(text)} characters, at most {MAX_LENGTH})",
            0,
        )
    return _Parser(text).parse()
