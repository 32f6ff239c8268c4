"""The message service: every text a person sees, rendered in their language.

A text has a stable message id and a Turkish source; the catalog gives its template in
the person's language, placeholders are filled with values formatted the way that
language writes them (dates, numbers: `formatting`), and in a right-to-left language
every left-to-right run (a Turkish site label such as "Kilit Çözme", a serial number, a
URL) is wrapped in Unicode isolates so it is not reordered into the Arabic sentence.
Flow steps, engine and agent notices, the guided steps of the real portal, lists built
in Python and the channels' own words all go through `text()`.

Code that builds a text the person will read later (an action's output: a certificate
list, a guided step) does not translate it there: it returns a `message()` reference,
plain JSON that can sit in a conversation's saved context, and the text is rendered when
it is shown, in the language of that moment (the person may switch language meanwhile).
A list of references is shown one per line, so a list keeps its line breaks on every
channel.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from assistant.i18n.catalog import Translate, translate
from assistant.i18n.formatting import format_value
from assistant.i18n.language import RIGHT_TO_LEFT

MESSAGE = "$msg"
SOURCE = "$tr"
ARGS = "$args"

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
FSI, PDI = "\u2068", "\u2069"
# A run of left-to-right text: Latin letters (Turkish ones included) and digits, with the
# spaces and punctuation that join such words ("Kilit Çözme", "444 5 576", "PIN / PUK").
_LTR_RUN = re.compile(
    r"[0-9A-Za-z\u00c0-\u024f](?:[0-9A-Za-z\u00c0-\u024f \-/.:@_'’+]*[0-9A-Za-z\u00c0-\u024f])?"
)
_ISOLATED = re.compile(f"({FSI}[^{PDI}]*{PDI})")

Message = dict[str, object]
Resolve = Callable[[str], object]


def message(message_id: str, source: str, **args: object) -> Message:
    """A text to render when shown: `{"$msg": id, "$tr": Turkish source, "$args": {...}}`.

    `args` fill the source's `{name}` placeholders; they may be messages themselves."""
    ref: Message = {MESSAGE: message_id, SOURCE: source}
    if args:
        ref[ARGS] = dict(args)
    return ref


def is_message(value: object) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get(MESSAGE), str)


def placeholders(template: str) -> tuple[str, ...]:
    """The dotted names a text's `{...}` placeholders refer to."""
    return tuple(m.group(1).strip() for m in _PLACEHOLDER.finditer(template) if m.group(1))


def fill(template: str, resolve: Resolve, show: Callable[[object], str] = str) -> str:
    """Fill `{name}` placeholders with `resolve(name)` (each value through `show`);
    `{{`/`}}` give literal braces; an unset value (None) leaves nothing."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        value = resolve(match.group(1).strip())
        return "" if value is None else show(value)

    return _PLACEHOLDER.sub(replace, template)


def text(
    message_id: str,
    source: str,
    language: str,
    resolve: Resolve | None = None,
    translator: Translate = translate,
) -> str:
    """A text as the person sees it: translated, filled, bidi-safe."""
    template = translator(message_id, source, language)
    filled = fill(template, resolve or _nothing, lambda value: show(value, language, translator))
    return isolate(filled, language)


def show(value: object, language: str, translator: Translate = translate) -> str:
    """A value as a placeholder shows it: a message rendered, a list one item per line,
    dates and numbers localised, anything else as text (bidi-isolated where needed)."""
    if is_message(value):
        assert isinstance(value, Mapping)
        args = value.get(ARGS)
        values = args if isinstance(args, Mapping) else {}
        return text(str(value[MESSAGE]), str(value[SOURCE]), language, values.get, translator)
    if isinstance(value, list | tuple):
        return "\n".join(show(item, language, translator) for item in value)
    return format_value(value, language)


def plain(value: object, language: str, translator: Translate = translate) -> str:
    """A value for an output's params: messages and lists rendered, the rest as text."""
    if is_message(value) or isinstance(value, list | tuple):
        return show(value, language, translator)
    return "" if value is None else str(value)


def isolate(text: str, language: str) -> str:
    """In a right-to-left language, wrap each left-to-right run in FSI…PDI (once)."""
    if language not in RIGHT_TO_LEFT:
        return text
    parts = _ISOLATED.split(text)
    return "".join(
        part if part.startswith(FSI) else _LTR_RUN.sub(lambda m: f"{FSI}{m.group(0)}{PDI}", part)
        for part in parts
    )


def _nothing(name: str) -> None:
    return None
