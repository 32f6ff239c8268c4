"""Signing a PDF in headless Chromium: the file goes in through the page's file input,
the signed copy comes back as a download that poppler's pdfsig judges valid, and the PIN
typed in the page is in no file. A file dropped on the window reaches the verify flow.
Uploads without the token or over the size limit are refused with a clear message, and
nothing of them is kept."""

from __future__ import annotations

import hashlib
import http.client
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from assistant.channels.web.uploads import MAX_UPLOAD_BYTES
from assistant.demo.documents import write_sample_pdf
from assistant.demo.ocsp import OcspResponder
from assistant.demo.pki import TestPki
from assistant.demo.virtual_card import VirtualCard
from tests.integration.sign.conftest import ocsp  # noqa: F401  (a fixture)
from tests.integration.sign.tools import nss_chain_good, nss_store, pdfsig_says_valid
from tests.integration.terminal.conftest import files_containing
from tests.integration.web.conftest import CANARY_PIN
from tests.integration.web.server import WebServer, start_server
from tests.integration.web.test_browser_journey import STEP_TIMEOUT_MS, _type_secret

pytestmark = pytest.mark.integration

CLEANUP_SECONDS = 20.0
TOO_LARGE = "Bu dosya çok büyük: en fazla 50 MB'lık bir dosya seçebilirsiniz."


@pytest.fixture
def web_server(
    akis_card: VirtualCard,
    opensc_module: Path,
    test_pki: TestPki,
    ocsp: Callable[[], OcspResponder],  # noqa: F811
    tmp_path: Path,
) -> Iterator[WebServer]:
    """The web chat with the TEST roots as the person's trust folder and the test CA's
    OCSP responder up, so the signature is PAdES-B-LT with its chain, as in the terminal."""
    trust = tmp_path / "trust"
    trust.mkdir()
    for name in ("root.pem", "ca.pem"):
        shutil.copyfile(test_pki.dir / name, trust / name)
    ocsp()
    server = start_server(tmp_path, opensc_module, {"NES_ASISTAN_TRUST_DIR": str(trust)})
    try:
        yield server
    finally:
        server.stop()


def _to_file_question(page: Page) -> None:
    sign = page.get_by_role("button", name=re.compile("Belge imzala"))
    expect(sign).to_be_visible(timeout=STEP_TIMEOUT_MS)
    sign.click()
    expect(page.locator("#log")).to_contain_text(
        "Hangi belgeyi imzalamak istiyorsunuz?", timeout=STEP_TIMEOUT_MS
    )
    expect(page.get_by_label("Dosya seçin")).to_be_visible()
    expect(page.locator("#file-hint")).to_contain_text("sürükleyip bırakın")


def _uploaded_files(home: Path) -> list[Path]:
    return sorted(p for p in (home / "data" / "uploads").rglob("*") if p.is_file())


def test_a_pdf_chosen_in_the_page_is_signed_and_downloaded_valid(
    page: Page,
    web_server: WebServer,
    akis_card: VirtualCard,
    test_pki: TestPki,
    tmp_path: Path,
) -> None:
    log = page.locator("#log")
    original = write_sample_pdf(tmp_path / "dilekce.pdf", pages=3)
    before = hashlib.sha256(original.read_bytes()).hexdigest()
    _to_file_question(page)

    page.get_by_label("Dosya seçin").set_input_files(str(original))
    expect(log).to_contain_text(
        re.compile(r"dilekce\.pdf — [\d,]+ KB, 3 sayfa"), timeout=STEP_TIMEOUT_MS
    )
    expect(page.locator("#file")).to_be_hidden()  # the question has its answer
    page.get_by_role("button", name=re.compile("^1\\. ")).click()  # no visible box
    expect(log).to_contain_text("İMZALIYORUM yazınız", timeout=STEP_TIMEOUT_MS)
    page.locator("#reply-input").fill("imzalıyorum")
    page.keyboard.press("Enter")
    _type_secret(page, CANARY_PIN)
    expect(log).to_contain_text("Belge imzalandı", timeout=60_000)

    link = page.get_by_role("link", name="İndirin: dilekce-imzali.pdf")
    expect(link).to_be_visible(timeout=STEP_TIMEOUT_MS)
    with page.expect_download() as download:
        link.click()
    signed = tmp_path / "downloaded.pdf"
    download.value.save_as(signed)
    nss = nss_store(tmp_path / "nss", test_pki.dir / "root.pem")
    assert pdfsig_says_valid(signed, nss)
    assert nss_chain_good(signed, nss, tmp_path / "dump")
    assert hashlib.sha256(original.read_bytes()).hexdigest() == before

    kept = _uploaded_files(web_server.home)  # the signed copy lies beside the upload
    assert [p.name for p in kept] == ["dilekce-imzali.pdf", "dilekce.pdf"]
    assert kept[0].parent == kept[1].parent
    assert kept[0].read_bytes() == signed.read_bytes()
    assert kept[1].read_bytes() == original.read_bytes()
    assert (kept[0].parent.stat().st_mode & 0o777) == 0o700
    assert akis_card.pin_tries_left == 3
    assert CANARY_PIN not in page.content()

    page.close()  # the conversation ends: its documents go
    deadline = time.monotonic() + CLEANUP_SECONDS
    while _uploaded_files(web_server.home) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _uploaded_files(web_server.home) == []
    assert web_server.stop() == 0
    assert files_containing(web_server.home, CANARY_PIN) == []
    for output in (web_server.stdout, web_server.stderr):
        assert CANARY_PIN not in output.read_text(encoding="utf-8", errors="replace")


def test_uploads_without_the_token_or_too_large_are_refused_and_nothing_is_kept(
    page: Page, web_server: WebServer, tmp_path: Path
) -> None:
    url, token, origin = web_server.origin + "/upload", web_server.token, web_server.origin
    pdf = write_sample_pdf(tmp_path / "dilekce.pdf").read_bytes()
    refused = {
        "no token": {"origin": origin, "x-file-name": "a.pdf"},
        "wrong token": {"origin": origin, "x-token": "A" * len(token), "x-file-name": "a.pdf"},
        "foreign origin": {"origin": "http://evil.example", "x-token": token},
        "no origin": {"x-token": token, "x-file-name": "a.pdf"},
    }
    for case, headers in refused.items():
        response = httpx.post(url, content=pdf, headers=headers, trust_env=False, timeout=30)
        assert response.status_code == 403, case

    # Declared too large: refused before a byte of the body is read.
    connection = http.client.HTTPConnection("127.0.0.1", web_server.port, timeout=30)
    connection.putrequest("POST", "/upload")
    for name, value in {"Origin": origin, "x-token": token, "x-file-name": "big.pdf"}.items():
        connection.putheader(name, value)
    connection.putheader("Content-Length", str(MAX_UPLOAD_BYTES + 1))
    connection.endheaders()
    answer = connection.getresponse()
    assert (answer.status, answer.read()) == (413, b'{"error":"too_large"}')
    connection.close()

    # Streamed without a length and over the limit: cut off, and the part kept goes.
    def chunks() -> Iterator[bytes]:
        block = b"%" * (1024 * 1024)
        for _ in range(MAX_UPLOAD_BYTES // len(block) + 1):
            yield block

    headers = {"origin": origin, "x-token": token, "x-file-name": "big.pdf"}
    response = httpx.post(url, content=chunks(), headers=headers, trust_env=False, timeout=60)
    assert response.status_code == 413
    assert _uploaded_files(web_server.home) == []

    # In the page: a file over the limit gets the translated message, the question stays.
    _to_file_question(page)
    big = tmp_path / "buyuk.pdf"
    with big.open("wb") as out:
        out.truncate(MAX_UPLOAD_BYTES + 1)
    page.get_by_label("Dosya seçin").set_input_files(str(big))
    expect(page.locator("#file-status")).to_have_text(TOO_LARGE)
    expect(page.get_by_label("Dosya seçin")).to_be_visible()
    assert _uploaded_files(web_server.home) == []
    assert not list((web_server.home / "data" / "uploads").glob("*"))


def test_a_file_dropped_on_the_window_is_what_the_verify_flow_checks(
    page: Page, web_server: WebServer, tmp_path: Path
) -> None:
    log = page.locator("#log")
    verify = page.get_by_role("button", name=re.compile("imzalı belge geçerli mi"))
    expect(verify).to_be_visible(timeout=STEP_TIMEOUT_MS)
    verify.click()
    expect(log).to_contain_text("Denetlenecek imzalı belgeyi gösterin", timeout=STEP_TIMEOUT_MS)
    unsigned = write_sample_pdf(tmp_path / "rapor.pdf").read_bytes()
    page.evaluate(
        """([bytes, name]) => {
            const transfer = new DataTransfer();
            const file = new File([new Uint8Array(bytes)], name, {type: "application/pdf"});
            transfer.items.add(file);
            const drop = new DragEvent(
                "drop", {dataTransfer: transfer, bubbles: true, cancelable: true});
            document.querySelector("#log").dispatchEvent(drop);
        }""",
        [list(unsigned), "rapor.pdf"],
    )
    expect(log.locator("li.me").last).to_have_text("Siz: rapor.pdf")
    expect(log).to_contain_text(
        '"rapor.pdf" imzalı bir PDF, .p7s ya da .imz dosyası değil', timeout=STEP_TIMEOUT_MS
    )
    [kept] = _uploaded_files(web_server.home)  # the flow read the dropped bytes, kept here
    assert kept.read_bytes() == unsigned
