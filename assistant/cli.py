"""`nes-asistan` command line: argument parsing and dispatch only.

Every handler is named as "module:function" and imported on use, so `--help` and
`--version` never pay for pyscard, python-pkcs11 or cryptography (goal: < 0.15 s wall).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from assistant import __version__
from assistant.i18n.language import lang_option

Handler = Callable[[argparse.Namespace], int]

DESCRIPTION = (
    "NES Asistanı: nitelikli elektronik sertifika (NES) kartınızı kurmanız, PIN'inizi "
    "güvende tutmanız ve sorunlarını çözmeniz için yerel, sohbet tarzı yardımcı. "
    "Komut vermeden çalıştırıldığında terminalde sohbet başlar."
)


def _run(handler: str, args: argparse.Namespace) -> int:
    module_name, _, function_name = handler.partition(":")
    function: Handler = getattr(importlib.import_module(module_name), function_name)
    return function(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nes-asistan", description=DESCRIPTION)
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help="sürümü göster"
    )
    parser.add_argument(
        "--lang",
        type=lang_option,
        metavar="KOD",
        help="konuşma dili: tr, en, de, ar (varsayılan: sistem dili, yoksa tr)",
    )
    parser.set_defaults(handler="assistant.channels.terminal:main")
    commands = parser.add_subparsers(title="komutlar", metavar="KOMUT")

    flows = commands.add_parser("flows", help="akış dosyaları (flows/*.yaml) için araçlar")
    flow_commands = flows.add_subparsers(title="komutlar", metavar="KOMUT", required=True)
    lint = flow_commands.add_parser(
        "lint", help="akış dosyalarını yükle ve denetle; sorun varsa çıkış kodu 1"
    )
    lint.add_argument("paths", nargs="*", metavar="YOL", help="dosya ya da klasör (flows/)")
    lint.add_argument(
        "--registry", metavar="MODÜL:İŞLEV", help="eylem kaydı (varsayılan: asistanın kendisi)"
    )
    lint.add_argument(
        "--no-catalogs",
        dest="catalogs",
        action="store_false",
        help="çeviri kataloglarında eksik metin arama (ör. yeni yazılan bir akış için)",
    )
    lint.set_defaults(handler="assistant.flow.lint_cli:main")

    agent = commands.add_parser(
        "agent", help="kartı tutan arka plan sürecini başlat; sohbetler ona bağlanır"
    )
    agent.set_defaults(handler="assistant.agent.server:main")

    web = commands.add_parser(
        "web", help="sohbeti tarayıcıda aç (yalnızca bu bilgisayardan erişilebilir)"
    )
    web.add_argument("--port", type=int, default=0, metavar="N", help="port (0: boş bir port)")
    web.add_argument(
        "--no-browser", action="store_true", help="tarayıcıyı açma; yalnızca adresi yaz"
    )
    web.set_defaults(handler="assistant.channels.web.server:main")

    support = commands.add_parser(
        "support", help="kurumunuzun yardım masasından destek isteyin; bir kod gösterir"
    )
    support.set_defaults(handler="assistant.helpdesk.support_cli:main")

    helpdesk = commands.add_parser(
        "helpdesk", help="yardım masası sunucusu (Telegram botu ve aktarıcı)"
    )
    helpdesk.add_argument("--config", required=True, metavar="DOSYA", help="yapılandırma (TOML)")
    helpdesk.set_defaults(handler="assistant.helpdesk.server:main")

    from assistant.doctor.cli import add_arguments as add_doctor_arguments

    doctor = commands.add_parser(
        "doctor", help="kurulumu denetle (okuyucu, kart, sürücü, sertifika, PIN, saat); çıkış 0/1/2"
    )
    add_doctor_arguments(doctor)
    doctor.set_defaults(handler="assistant.doctor.cli:main")

    from assistant.sign.cli import add_arguments as add_verify_arguments

    verify = commands.add_parser(
        "verify", help="imzalı bir belgeyi (PDF, .p7s, .imz) doğrula; çıkış 0/1/2"
    )
    add_verify_arguments(verify)
    verify.set_defaults(handler="assistant.sign.cli:main")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args.handler, args)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
