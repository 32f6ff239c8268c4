"""Babel extractors: every Turkish text a person can see, keyed by its stable message id.

Build-time tooling, so it sits above flow, portal and i18n (which it reads) and nothing
at run time imports it.

Flow texts live in YAML and engine/agent/validator texts in Python dicts and calls, so
`pybabel extract`'s own Python extractor finds none of them. Both extractors here yield
`pgettext` entries: the message id (`onboarding.welcome`, `engine.help`) becomes the
msgctxt and the Turkish source the msgid. The id keeps two identical Turkish sentences in
different steps apart (a translator may word them differently); the Turkish msgid makes
`pybabel update` mark a translation fuzzy the moment its source text changes, so a stale
translation is never shown (fuzzy entries are not loaded; the Turkish source is).

Flows are read with the real loader, so the ids are exactly those the session asks for,
and a flow that does not load stops the extraction with its problems instead of silently
dropping texts. Comments tell translators where a text appears, which placeholders to
keep and which Turkish phrase a person must type verbatim.

Every file is decoded strictly as UTF-8: a file in another encoding, a flow that does not
load or a malformed guided.yaml stops `pybabel extract` with `ExtractError`, one message
naming the file and what is wrong (a SystemExit, so no traceback), never a half catalog.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from assistant.flow.model import ConfirmStep, Flow, Message, Step
from assistant.i18n.messages import placeholders

# (line number, keyword, (context, msgid), comments): what Babel's `extract()` expects.
Extracted = tuple[int, str, tuple[str, str], list[str]]
KEYWORD = "pgettext"


class ExtractError(SystemExit):
    """A source file the catalogs cannot be made from; the message names the file.

    A SystemExit so that `pybabel extract` (./scripts/catalogs) stops with this one message
    instead of a traceback."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name
        self.problem = problem


def extract_flows(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Babel extraction method for `flows/*.yaml` (see the module docstring)."""
    from assistant.flow.loader import FlowLoadError, decode, load_text

    name = _name(fileobj, "<flow>")
    try:
        flow = load_text(decode(fileobj.read(), name), name)
    except FlowLoadError as error:
        raise ExtractError(name, f"the flow does not load:\n{error}") from None
    yield from flow_entries(flow)


def flow_entries(flow: Flow) -> Iterator[Extracted]:
    """The catalog entries of one loaded flow, in file order."""
    if flow.title is not None:
        yield _entry(flow.title, [f"flow {flow.name}: title shown in menus"])
    for step in flow.steps:
        for message in step.messages():
            yield _entry(message, _step_comments(flow, step, message))


def extract_guides(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Babel extraction method for `assistant/portal/guided.yaml`, the steps on the real
    Kamu SM site: titles, step texts, notes and the brochure's warnings."""
    from assistant.portal.guided import GuideError, parse_guides

    name = _name(fileobj, "guided.yaml")
    try:
        book = parse_guides(_utf8(fileobj.read(), name), name)
    except GuideError as error:
        raise ExtractError(name, str(error)) from None
    label = "Quote site labels exactly as in Turkish; a translation may follow in brackets."
    for note in book.notes:
        yield (0, KEYWORD, (note.id, note.text_tr), ["guided steps: a note", label])
    for warning in book.warnings:
        yield (0, KEYWORD, (warning.id, warning.text_tr), ["printable guide: warning", label])
    for guide in book.guides.values():
        where = f"guided steps on the real site, {guide.operation}"
        yield (0, KEYWORD, (guide.title_id, guide.title_tr), [f"{where}: title", label])
        for step in guide.steps:
            comments = [f"{where}, step {step.id} (site label: {step.target})", label]
            yield (0, KEYWORD, (step.message_id, step.text_tr), comments)


def extract_texts(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Babel extraction method for Python modules holding Turkish texts by message id.

    Finds module-level `*_TEXTS = {"id": "text", ...}` dicts (engine and agent texts)
    and `Rejection("id", "text")` calls (validators). A Rejection built from an f-string
    cannot be catalogued (its text differs per call) and is skipped.
    """
    name = _name(fileobj, "<python>")
    try:
        tree = ast.parse(_utf8(fileobj.read(), name), name)
    except SyntaxError as error:
        raise ExtractError(name, f"line {error.lineno}: {error.msg}") from None
    for node in tree.body:
        target = _assigned_name(node)
        value = getattr(node, "value", None)
        if target and target.endswith("_TEXTS") and isinstance(value, ast.Dict):
            for key, text in zip(value.keys, value.values, strict=True):
                pair = _constants(key, text)
                if pair:
                    yield _python_entry(text.lineno, *pair, f"{target} (said by the program)")
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "Rejection":
            pair = _constants(*call.args[:2]) if len(call.args) >= 2 else None
            if pair:
                yield _python_entry(call.lineno, *pair, "shown when a reply is not accepted")


def _name(fileobj: IO[bytes], default: str) -> str:
    return str(getattr(fileobj, "name", default))


def _utf8(data: bytes, name: str) -> str:
    """`data` as UTF-8 text; ExtractError naming the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        problem = f"line {line}: not UTF-8 text (byte 0x{data[error.start]:02x}): save it as UTF-8"
        raise ExtractError(name, problem) from None


def _entry(message: Message, comments: list[str]) -> Extracted:
    return (message.location.line, KEYWORD, (message.id, message.text), comments)


def _python_entry(line: int, message_id: str, text: str, where: str) -> Extracted:
    return (line, KEYWORD, (message_id, text), [where, *_placeholder_comments(text)])


def _step_comments(flow: Flow, step: Step, message: Message) -> list[str]:
    part = message.id.removeprefix(f"{flow.name}.{step.id}").lstrip(".") or step.kind.value
    comments = [f"flow {flow.name}, step {step.id} ({part})"]
    comments += _placeholder_comments(message.text)
    if isinstance(step, ConfirmStep) and step.phrase and message is step.message:
        comments.append(
            f"The person must type the Turkish phrase {step.phrase} exactly: "
            "keep it untranslated (a gloss in brackets may follow it)."
        )
    return comments


def _placeholder_comments(text: str) -> list[str]:
    names = placeholders(text)
    if not names:
        return []
    return ["Keep unchanged: " + ", ".join(f"{{{name}}}" for name in names)]


def _assigned_name(node: ast.stmt) -> str | None:
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        return target.id if isinstance(target, ast.Name) else None
    return None


def _constants(*nodes: ast.expr | None) -> tuple[str, str] | None:
    values = [n.value if isinstance(n, ast.Constant) else None for n in nodes]
    if len(values) == 2 and all(isinstance(v, str) for v in values):
        return str(values[0]), str(values[1])
    return None
