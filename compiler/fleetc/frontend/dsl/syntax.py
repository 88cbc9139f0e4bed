"""The .fleet grammar: text into statements, or one syntax error in words (F001).

The grammar (grammar/fleet.lark, shipped inside the package) only knows lines,
values and blocks; what a statement means is decided by dsl_build against the
schema. Statements are built while the LALR parser reduces, without a parse
tree, and the parser is built once per process.

Well-formed text is read by dsl_scan without lark (importing lark is a fifth
of a pre-commit check); this is the grammar's reference reader, and what says
in words what is wrong with text dsl_scan refuses.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import unicodedata
from functools import cache
from importlib.resources import files

import lark
from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from ...core.diagnostics import Diagnostic, error
from ...core.source import Source, Span
from .statements import (
    MAX_DEPTH,
    STRING,
    Statement,
    Word,
    head_word,
    values_in,
    with_newline,
)


class _Statements(Transformer):
    def start(self, children: list) -> list[Statement]:
        return children

    def line(self, children: list) -> Statement:
        return Statement(_head(children[0]), _values(children), None)

    def block(self, children: list) -> Statement:
        first = 3 if _has_values(children) else 2
        return Statement(_head(children[0]), _values(children), children[first:-1])


def _head(token: Token) -> Word:
    return head_word(token.value, token.start_pos)


def _has_values(children: list) -> bool:
    return len(children) > 1 and getattr(children[1], "type", None) == "VALUES"


def _values(children: list) -> list[Word]:
    if not _has_values(children):
        return []
    return values_in(children[1], children[1].start_pos)


@cache
def parser() -> Lark:
    grammar = (files("fleetc") / "grammar" / "fleet.lark").read_text(encoding="utf-8")
    return saved_parser(grammar) or built_parser(grammar)


def built_parser(grammar: str) -> Lark:
    return Lark(grammar, parser="lalr", lexer="contextual", transformer=_Statements())


# The LALR tables, built from the grammar when the package is made
# (tests/support/regen_goldens.py writes them): building them is a third of a
# pre-commit check of a small fleet. Pickled by lark itself, read only from
# inside the package, and only for the same grammar and lark version.
SAVED = "fleet.lark.pickle"


def saved_key(grammar: str) -> str:
    digest = hashlib.sha256(grammar.encode()).hexdigest()
    return f"lark {lark.__version__}, grammar sha256 {digest}"


def saved_bytes(grammar: str) -> bytes:
    """What SAVED holds for this grammar and the installed lark."""
    tables = io.BytesIO()
    built_parser(grammar).save(tables, exclude_options=("transformer",))
    return pickle.dumps({"key": saved_key(grammar), "tables": tables.getvalue()})


def saved_parser(grammar: str, saved: bytes | None = None) -> Lark | None:
    """The parser from SAVED; None (build it) when it is missing, made for
    another grammar or lark, or unreadable: lark's own loader is private API."""
    try:
        if saved is None:
            saved = (files("fleetc") / "grammar" / SAVED).read_bytes()
        found = pickle.loads(saved)
        if found["key"] != saved_key(grammar):
            return None
        tables = io.BytesIO(found["tables"])
        return Lark.__new__(Lark)._load(tables, transformer=_Statements())
    except Exception:  # noqa: BLE001 - any failure means: build it instead
        return None


class TooDeep(Exception):
    def __init__(self, brace: Token) -> None:
        self.brace = brace


def parse(source: Source) -> tuple[list[Statement] | None, Diagnostic | None]:
    text = with_newline(source.text)
    opened: list[int] = []
    try:
        return _parse_shallow(text, opened), None
    except UnexpectedInput as problem:
        return None, syntax_error(source, problem, opened)
    except TooDeep as problem:
        return None, _too_deep(source, problem.brace)


def _parse_shallow(text: str, opened: list[int]) -> list[Statement]:
    """The parser's own loop, token by token, keeping where each open block
    starts in `opened`: the last is what an unexpected end of file names."""
    steps = parser().parse_interactive(text)
    token = None
    try:
        for token in steps.iter_parse():
            if token.type == "LBRACE":
                opened.append(token.start_pos)
                if len(opened) > MAX_DEPTH:
                    raise TooDeep(token)
            elif token.type == "RBRACE" and opened:
                opened.pop()
        return steps.feed_eof(token)
    except UnexpectedToken as problem:
        # As Lark's own parse() does: what the parser accepted, for messages.
        problem.interactive_parser = steps
        raise


# -- syntax errors -------------------------------------------------------------

# What each terminal is called in a message, in the order messages list them.
_EXPECTED = {
    "VALUES": "a value",
    "WORD": "a statement",
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "_NL": "the end of the line",
    "$END": "the end of the file",
}
_FOUND = {"_NL": "the end of the line", "$END": "the end of the file"}

# Mistakes worth a hint, by examples that fail the same way (the same tokens
# expected, the same kind of token found) as the mistake does.
_HINTS = {
    "no block is open here: remove this `}`": ["}\n", "a {\n}\n}\n"],
    "one statement a line: start the block's statements on the next line": [
        "a { b\n}\n",
    ],
    "one statement a line: put what follows `}` on a line of its own": [
        "a {\n} b\n",
    ],
    "a line holds one block: end it with `}` before opening another": [
        "a { {\n}\n",
    ],
}


def syntax_error(
    source: Source, problem: UnexpectedInput, opened: list[int]
) -> Diagnostic:
    if isinstance(problem, UnexpectedCharacters):
        return _bad_character(source, problem)
    assert isinstance(problem, UnexpectedToken)
    token = problem.token
    message = f"expected {_expected(problem)}, found {_found(token)}"
    if token.type == "$END":
        return _unclosed(source, message, opened[-1] if opened else None)
    start = token.start_pos + len(token) - len(token.lstrip())
    span = Span(source, start, max(token.end_pos, start + 1))
    return error("F001", message, span, help=_hint(problem))


def _expected(problem: UnexpectedToken) -> str:
    names = set(problem.accepts or problem.expected)
    if "WORD" in names:
        # Blank lines are always welcome: not worth naming among statements.
        names.discard("_NL")
    words = [word for name, word in _EXPECTED.items() if name in names]
    if len(words) < 3:
        return " or ".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def _found(token: Token) -> str:
    return _FOUND.get(token.type) or f"`{token.value.strip()}`"


def _hint(problem: UnexpectedToken) -> str | None:
    return _hints().get(_failure(problem))


def _failure(problem: UnexpectedToken) -> tuple:
    return frozenset(problem.accepts or problem.expected), problem.token.type


@cache
def _hints() -> dict[tuple, str]:
    """(tokens expected, token found) -> hint, by parsing each example once."""
    found: dict[tuple, str] = {}
    for hint, examples in _HINTS.items():
        for example in examples:
            try:
                parser().parse(example)
            except UnexpectedToken as failure:
                found.setdefault(_failure(failure), hint)
    return found


def _unclosed(source: Source, message: str, opening: int | None) -> Diagnostic:
    """The file ended inside a block: point at the `{` that was never closed."""
    if opening is None:
        end = len(source.text)
        return error("F001", message, Span(source, end, end))
    line, _ = source.line_col(opening)
    span = Span(source, opening, opening + 1)
    fix = f"close the block opened on line {line} with `}}` on a line of its own"
    return error("F001", message, span, label="never closed", help=fix)


def _too_deep(source: Source, brace: Token) -> Diagnostic:
    span = Span(source, brace.start_pos, brace.start_pos + 1)
    message = f"blocks nested more than {MAX_DEPTH} deep"
    fix = (
        "a fleet needs three levels (`host { vm { interface {`): close the blocks above"
    )
    return error("F009", message, span, help=fix)


def _bad_character(source: Source, problem: UnexpectedCharacters) -> Diagnostic:
    start = problem.pos_in_stream
    if problem.char == '"':
        return _misplaced_quote(source, problem, start)
    span = Span(source, start, start + 1)
    name = unicodedata.name(problem.char, "a control character")
    message = f"unexpected character U+{ord(problem.char):04X} ({name.lower()})"
    fix = "words are separated by spaces and tabs; quote a value that holds others"
    return error("F001", message, span, help=fix)


def _misplaced_quote(
    source: Source, problem: UnexpectedCharacters, start: int
) -> Diagnostic:
    whole = STRING.match(source.text, start)
    if whole is None:
        message = 'unterminated string: expected `"` before the end of the line'
        fix = 'a quoted string ends on its own line; write a newline as "\\n"'
        return error("F001", message, Span(source, start, start + 1), help=fix)
    span = Span(source, start, whole.end())
    if "WORD" in problem.allowed:
        message = "expected a statement, found a quoted string"
        fix = "a statement starts with a word such as `host` or `vm`; quotes are for values"
    else:
        message = "expected a blank before a quoted string"
        fix = "separate values with spaces"
    return error("F001", message, span, help=fix)
