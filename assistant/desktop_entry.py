"""`nes-asistan desktop-entry [--install]`: a menu entry that opens the web chat.

Writes an XDG desktop entry (Desktop Entry Specification 1.4, the newest that Debian 12's
desktop-file-validate knows) and the assistant's icon into the user's data dir
(`$XDG_DATA_HOME`, else ~/.local/share), so the chat starts from the desktop's menu
without typing a command. The entry runs this very installation (its own Python,
`-m assistant web`), whatever PATH the desktop session has. `Terminal=true`: the web
chat's server lives as long as that small window (it shows the chat's address); closing
it ends the chat, and no server is left behind.
Name and Comment come in every shipped language, from the catalogs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from assistant.cli_texts import cli_text
from assistant.i18n.language import SOURCE_LANGUAGE, SUPPORTED
from assistant.resources import packaged

APP_ID = "nes-asistan"
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")  # Exec arguments with these must be quoted


def exec_argument(value: str) -> str:
    """One Exec argument, quoted as the spec asks (then escaped as a string value)."""
    if not value or _RESERVED & set(value):
        value = '"' + "".join("\\" + c if c in '"`$\\' else c for c in value) + '"'
    return value.replace("\\", "\\\\")


def entry_text(command: list[str], icon: Path) -> str:
    lines = ["[Desktop Entry]", "Type=Application", "Version=1.4"]
    for key, message_id in (("Name", "desktop.name"), ("Comment", "desktop.comment")):
        lines.append(f"{key}={cli_text()(message_id)}")
        lines += [
            f"{key}[{lang}]={cli_text(lang)(message_id)}"
            for lang in SUPPORTED
            if lang != SOURCE_LANGUAGE
        ]
    lines += [
        f"Exec={' '.join(exec_argument(arg) for arg in command)}",
        f"Icon={icon}",
        "Terminal=true",
        "Categories=Utility;",
        "Keywords=e-imza;NES;akıllı kart;PIN;e-signature;smart card;",
    ]
    return "\n".join(lines) + "\n"


def data_home() -> Path:
    configured = os.environ.get("XDG_DATA_HOME")
    return Path(configured) if configured else Path.home() / ".local" / "share"


def install(data: Path) -> tuple[Path, Path]:
    """Write the icon and the entry under `data`; their paths."""
    icon = data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    icon.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(packaged("channels", "web", "static", "icon.svg"), icon)
    entry = data / "applications" / f"{APP_ID}.desktop"
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text(entry_text(_command(), icon), encoding="utf-8")
    return entry, icon


def _command() -> list[str]:
    return [sys.executable, "-m", "assistant", "web"]


def main(args: argparse.Namespace) -> int:
    if not args.install:
        icon = data_home() / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
        sys.stdout.write(entry_text(_command(), icon))
        return 0
    for path in install(data_home()):
        print(path)
    return 0
