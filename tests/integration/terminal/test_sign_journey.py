"""Signing a PDF in the real terminal chat, in Turkish, on the virtual AKİS card; poppler's
pdfsig (and NSS's vfychain for the chain) judge the signed copy, and the original must
come out byte for byte as it went in."""

from __future__ import annotations

import hashlib
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.demo.documents import write_sample_pdf
from assistant.demo.ocsp import OcspResponder
from assistant.demo.pki import TestPki
from assistant.demo.virtual_card import VirtualCard
from tests.integration.conftest import chat_env
from tests.integration.sign.conftest import ocsp  # noqa: F401  (a fixture)
from tests.integration.sign.tools import nss_chain_good, nss_store, pdfsig_says_valid
from tests.integration.terminal.conftest import files_containing
from tests.integration.terminal.tmux import TmuxChat

pytestmark = pytest.mark.integration

PIN = "731904"  # a canary as well


@pytest.fixture
def signing_chat(
    chat_home: Path, opensc_module: Path, test_pki: TestPki, tmp_path: Path
) -> Iterator[Callable[[], TmuxChat]]:
    """`nes-asistan` in tmux with the TEST roots as the person's trust folder."""
    trust = tmp_path / "trust"
    trust.mkdir()
    for name in ("root.pem", "ca.pem"):
        shutil.copyfile(test_pki.dir / name, trust / name)
    env = {
        **chat_env(chat_home, opensc_module),
        "NES_ASISTAN_TRUST_DIR": str(trust),
        "TERM": "xterm-256color",
    }
    chats: list[TmuxChat] = []

    def start() -> TmuxChat:
        workdir = tmp_path / f"tmux-{len(chats)}"
        workdir.mkdir()
        chat = TmuxChat(workdir, env, [sys.executable, "-m", "assistant"])
        chats.append(chat)
        return chat

    yield start
    for chat in chats:
        chat.close()


def test_a_pdf_signed_in_the_terminal_is_valid_for_pdfsig(
    *,
    virtual_card: Callable[..., VirtualCard],
    signing_chat: Callable[[], TmuxChat],
    ocsp: Callable[[], OcspResponder],  # noqa: F811
    test_pki: TestPki,
    chat_home: Path,
    tmp_path: Path,
) -> None:
    card = virtual_card("akis", pin=PIN)
    ocsp()
    folder = tmp_path / "Belgeler"
    folder.mkdir()
    original = write_sample_pdf(folder / "dilekce.pdf", pages=3)
    before = hashlib.sha256(original.read_bytes()).hexdigest()

    chat = signing_chat()
    chat.answer("Size nasıl yardımcı olabilirim", "Belge imzala")
    chat.wait_for("iptal edilmediğini doğruladı", after=chat.position)
    chat.answer("Hangi belgeyi imzalamak istiyorsunuz", f"'{original}'")
    chat.wait_for(r"dilekce\.pdf — [\d,]+ KB, 3 sayfa", after=chat.position)
    chat.wait_for(" ".join(before[i : i + 4] for i in range(0, 16, 4)), after=chat.position)
    chat.answer("İmza belgede nasıl görünsün", "2")  # the visible box
    chat.answer("İMZALIYORUM yazınız", "imzalıyorum")
    chat.answer("İmza için PIN'inizi yazınız", PIN)
    chat.wait_for("Belge imzalandı", after=chat.position, timeout=60)
    chat.wait_for("imza geçerli", after=chat.position)
    chat.answer("Başka bir konuda yardımcı olabilir miyim", "hayır")
    assert chat.exit_code() == 0

    signed = folder / "dilekce-imzali.pdf"
    assert sorted(p.name for p in folder.iterdir()) == ["dilekce-imzali.pdf", "dilekce.pdf"]
    assert hashlib.sha256(original.read_bytes()).hexdigest() == before
    nss = nss_store(tmp_path / "nss", test_pki.dir / "root.pem")
    assert pdfsig_says_valid(signed, nss)
    assert nss_chain_good(signed, nss, tmp_path / "dump")
    assert card.pin_tries_left == 3
    assert PIN not in chat.screen()
    assert files_containing(chat_home, PIN) == []
