"""`nes-asistan support`: ask the organisation's helpdesk for help from this computer.

Runs the doctor, opens a support session with the configured helpdesk (outbound only),
shows the pairing code and shares the doctor's summary, redacted. Then whatever the
person types goes to the operator (redacted: a PIN typed by mistake arrives masked) and
what the operator writes is shown, until "destek bitir", Ctrl-D or the session ends.
Nothing the operator sends can act on this computer: it is only printed.
"""

from __future__ import annotations

import argparse
import sys
import threading

from assistant.flow.outputs import Output


def main(args: argparse.Namespace) -> int:
    from assistant.doctor.checks import Doctor
    from assistant.doctor.report import build_report, to_text
    from assistant.helpdesk.agent_link import (
        END_WORDS,
        HelpdeskSettings,
        HelpdeskUnavailableError,
        SupportLink,
    )
    from assistant.helpdesk.texts import HELPDESK_TEXTS
    from assistant.i18n.catalog import translator
    from assistant.i18n.language import initial_language
    from assistant.i18n.matching import ascii_fold

    language = initial_language(getattr(args, "lang", None))
    translate = translator((language,))
    settings = HelpdeskSettings.load()
    if settings is None:
        source = HELPDESK_TEXTS["helpdesk.not_configured"]
        print(translate("helpdesk.not_configured", source, language))
        return 2
    ended = threading.Event()

    def show(outputs: list[Output]) -> None:
        for output in outputs:
            print(output.text, flush=True)
            if output.message_id == "helpdesk.ended":
                ended.set()

    link = SupportLink(
        show, language=language, translator=translate, ssl_context=settings.ssl_context()
    )
    try:
        link.open_support(settings.url, settings.token)  # shows the code through `show`
    except HelpdeskUnavailableError:
        show([link.notice("helpdesk.unavailable", {})])
        return 1
    report = build_report(Doctor().run(), language=language, translate=translate)
    link.send_diagnostics(to_text(report, details=False))
    ends = {ascii_fold(w) for w in END_WORDS}
    for line in sys.stdin:
        if ended.is_set():
            break
        if ascii_fold(line) in ends:
            break
        if line.strip():
            link.chat(line.rstrip("\n"))
    if link.active:
        link.end()
    return 0
