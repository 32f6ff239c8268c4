"""The first question waits only for what it needs: the portal, httpx, revocation, the
helpdesk and signing are imported when a person goes there, not before the menu."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

NOT_BEFORE_THE_MENU = (
    "httpx",
    "assistant.portal.client",
    "assistant.portal.guided",
    "assistant.pki.revocation",
    "assistant.helpdesk.agent_link",
    "assistant.sign",
    "pyhanko",
)

FIRST_PROMPT = """
import sys
from assistant.channels import terminal
from assistant.agent import client, server
from assistant.agent.core import load_agent

agent = load_agent()
conversation, first = agent.fresh_conversation("terminal", lambda outputs: None, "tr")
terminal.TerminalChat().show(first)
print("LOADED=" + ",".join(sorted(m for m in {modules} if m in sys.modules)))
"""


def test_the_first_question_imports_no_portal_http_or_signing(tmp_path: Path) -> None:
    code = FIRST_PROMPT.format(modules=repr(NOT_BEFORE_THE_MENU))
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={"NES_ASISTAN_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )
    assert "Size nasıl yardımcı olabilirim" in done.stdout  # the menu really was shown
    assert done.stdout.splitlines()[-1] == "LOADED="
