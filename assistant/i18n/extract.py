"""Babel extractors: every Turkish text a person can see, keyed by its stable message id.

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


def extract_flows(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Babel extraction method for `flows/*.yaml` (see the module docstring)."""
    from assistant.flow.loader import load_text

    name = str(getattr(fileobj, "name", "<flow>"))
    flow = load_text(fileobj.read().decode("utf-8"), name)  # FlowLoadError lists problems
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
    from assistant.portal.guided import parse_guides

    name = str(getattr(fileobj, "name", "guided.yaml"))
    book = parse_guides(fileobj.read().decode("utf-8"), name)  # GuideError names the problem
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
    tree = ast.parse(fileobj.read())
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
