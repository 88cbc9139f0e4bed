"""A run's report, remembered as data and told again (the result cache's replay).

`Recording` stands in for the run's `Report` while one fleet file is worked on:
it passes every call through and keeps it, and keeps the facts the run read
(memo_facts.py). `replay` makes the same calls on a new report, so a remembered
run prints exactly what the run printed, in any format, colour decided anew.
A diagnostic's span is kept as offsets into a file the run read (a `text`
fact); a span into anything else (text the run made itself) cannot be told
again, and the run is then not remembered.
"""

from __future__ import annotations

from typing import Any

from .diagnostics import Diagnostic, Severity
from .memo_facts import observe, text_hash
from .report import Report
from .source import Source, Span


class NotReplayable(Exception):
    """The run used something a replay could not show again."""


class Recording:
    """The run's report for one fleet file, with what the run read and said."""

    def __init__(self, report: Report, started_ns: int) -> None:
        self.report = report
        self.started_ns = started_ns
        self.calls: list[list] = []
        self.facts: dict[tuple[str, str], Any] = {}
        self.sources: dict[str, Source] = {}  # file read -> its Source
        self.wrote = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.report, name)

    def fact(self, kind: str, subject: str, value: Any) -> None:
        self.facts[(kind, subject)] = value

    def look(self, kind: str, subject: str) -> None:
        """A fact the run depends on, looked at now (paths, directories)."""
        self.facts[(kind, subject)] = observe(kind, subject)

    def wrote_files(self) -> None:
        """The run changed the tree: told again, it would claim so falsely."""
        self.wrote = True

    def read_text(self, path: str, source: Source | None) -> None:
        """The run read `path` (None: it was absent)."""
        if source is not None:
            self.sources[path] = source
        value = "absent" if source is None else text_hash(source.text)
        self.fact("text", path, value)

    def show(self, diagnostics: list[Diagnostic]) -> None:
        self.calls.append(["show", [self._saved(d) for d in diagnostics]])
        self.report.show(diagnostics)

    def problem(self, diagnostic: Diagnostic) -> None:
        self.calls.append(["problem", self._saved(diagnostic)])
        self.report.problem(diagnostic)

    def say(self, text: str) -> None:
        self.calls.append(["say", text])
        self.report.say(text)

    def data(self, key: str, text: str) -> None:
        self.calls.append(["data", key, text])
        self.report.data(key, text)

    def note(self, key: str, value: Any) -> None:
        self.calls.append(["note", key, value])
        self.report.note(key, value)

    def _saved(self, diagnostic: Diagnostic) -> dict | None:
        try:
            return saved(diagnostic, self.sources)
        except NotReplayable:
            return None


def saved(diagnostic: Diagnostic, sources: dict[str, Source]) -> dict:
    return {
        "code": diagnostic.code,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "span": saved_span(diagnostic.span, sources),
        "label": diagnostic.label,
        "help": diagnostic.help,
        "file": diagnostic.file,
    }


def saved_span(span: Span | None, sources: dict[str, Source]) -> list | None:
    if span is None:
        return None
    for path, source in sources.items():
        if span.source is source:
            return [path, span.start, span.end]
    raise NotReplayable(span.source.name)


def replayable(recording: Recording) -> bool:
    """Every diagnostic could be kept (see `saved_span`)."""
    shown = [c for c in recording.calls if c[0] in ("show", "problem")]
    kept = [d for c in shown for d in (c[1] if c[0] == "show" else [c[1]])]
    return None not in kept


# Each call a report takes, and the types of its arguments as kept.
CALLS = {
    "show": (list,),
    "problem": (dict,),
    "say": (str,),
    "data": (str, str),
    "note": (str, object),
}
TEXTS = ("code", "message")
OPTIONAL = ("label", "help", "file")


def prepared(calls: list, texts: dict[str, Source]) -> list[tuple[str, tuple]]:
    """The remembered calls, checked and with their diagnostics made again
    (`texts`: the files the run read, read again); ValueError for anything a
    report could not take, so that a damaged entry prints nothing."""
    ready = []
    for call in calls:
        if not (isinstance(call, list) and call and call[0] in CALLS):
            raise ValueError("not a report call")
        kind, arguments = call[0], tuple(call[1:])
        types = CALLS[kind]
        if len(arguments) != len(types) or not all(map(isinstance, arguments, types)):
            raise ValueError(f"bad arguments to {kind}")
        if kind == "show":
            arguments = ([restored(d, texts) for d in arguments[0]],)
        elif kind == "problem":
            arguments = (restored(arguments[0], texts),)
        ready.append((kind, arguments))
    return ready


def replay(ready: list[tuple[str, tuple]], report: Report) -> None:
    for kind, arguments in ready:
        getattr(report, kind)(*arguments)


def restored(kept: Any, texts: dict[str, Source]) -> Diagnostic:
    fields = {*TEXTS, *OPTIONAL, "span", "severity"}
    if not isinstance(kept, dict) or set(kept) != fields:
        raise ValueError("not a diagnostic")
    strings = all(isinstance(kept[k], str) for k in TEXTS)
    if not strings or any(
        kept[k] is not None and not isinstance(kept[k], str) for k in OPTIONAL
    ):
        raise ValueError("not a diagnostic")
    optional = {k: kept[k] for k in OPTIONAL}
    span = span_of(kept["span"], texts)
    severity = Severity(kept["severity"])
    return Diagnostic(kept["code"], severity, kept["message"], span, **optional)


def span_of(kept: Any, texts: dict[str, Source]) -> Span | None:
    if kept is None:
        return None
    path, start, end = kept
    source = texts[path]
    if not (isinstance(start, int) and isinstance(end, int)):
        raise ValueError("not a span")
    if not 0 <= start <= end <= len(source.text):
        raise ValueError("not a span")
    return Span(source, start, end)
