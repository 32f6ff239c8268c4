"""`nes-asistan doctor`: run the checks, print them, optionally write the support report.

Exit code 0 when every check is fine, 1 when something deserves attention, 2 when
something is broken, so scripts and helpdesk tools can branch on it; `--json` prints
the same findings as JSON. Only argparse is imported at module level: `add_arguments`
is called while `nes-asistan --help` builds its parser.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The doctor's options, for `assistant.cli` and `python -m assistant.doctor`."""
    parser.add_argument("--json", action="store_true", help="sonuçları JSON olarak yaz")
    parser.add_argument(
        "--report",
        metavar="DOSYA",
        type=Path,
        help="destek raporunu DOSYA'ya (metin) ve DOSYA.json'a yaz; gizli bilgi içermez",
    )
    parser.add_argument(
        "--include-certificate",
        action="store_true",
        help="imza sertifikasını rapora ekle (T.C. Kimlik No'nuzu açıkça içerir)",
    )
    # SUPPRESS: `nes-asistan --lang en doctor` must not be overwritten by a None here.
    parser.add_argument(
        "--lang", metavar="KOD", default=argparse.SUPPRESS, help="rapor dili: tr, en, de, ar"
    )


def main(args: argparse.Namespace) -> int:
    from assistant.doctor.checks import Doctor
    from assistant.doctor.report import build_report, to_json, to_text, write_report
    from assistant.i18n.catalog import translator
    from assistant.i18n.language import initial_language

    language = initial_language(getattr(args, "lang", None))
    run = Doctor().run()
    report = build_report(
        run,
        language=language,
        translate=translator((language,)),
        include_certificate=args.include_certificate,
    )
    if args.json:
        sys.stdout.write(to_json(report))
    else:
        sys.stdout.write(to_text(report, details=False))
    if args.report is not None:
        for path in write_report(report, args.report):
            print(path, file=sys.stderr)
    return report.exit_code
