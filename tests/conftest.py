"""Shared fixtures: the virtual card rig (pcscd + vpcd + PIV card), test PKI, SoftHSM2.

Process-wide environment is fixed in `pytest_configure`, before any test can touch
PC/SC or OpenSC: libpcsclite reads PCSCLITE_CSOCK_NAME once per process and OpenSC
reads OPENSC_CONF when its module initialises. Pointing both at this session's temp
directory means no test ever talks to the machine's own pcscd (the demo's) or
another test run's; subprocesses (pkcs11-tool, openssl) inherit the same values.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.demo.pcscd import PcscService, ReaderSlot
from assistant.demo.pki import TestPki
from assistant.demo.virtual_card import VirtualCard, create_state
from tests.rig.softhsm import SoftHsm, SoftHsmToken, reinitialize_loaded_module

OPENSC_MODULE = Path("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so")
# user_pin_unblock_style: without it OpenSC's PIV driver sends a PUK unblock as a PIN
# change (burning a PIN try); with it, SetPIN in an unlogged R/W session sends RESET
# RETRY COUNTER. max_virtual_slots: the default 16 with 4 slots per card shows only
# 4 of our 8 readers as PKCS#11 slots.
OPENSC_CONF_TEXT = """app opensc-pkcs11 {
    pkcs11 {
        user_pin_unblock_style = set_pin_in_unlogged_session;
        max_virtual_slots = 64;
    }
}
"""
READER_ENTRIES = 4  # x2 readers each (vpcd serves two ports per entry)

SESSION_DIR = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    session_dir = Path(tempfile.mkdtemp(prefix="nes-rig-"))
    config.stash[SESSION_DIR] = session_dir
    (session_dir / "pcscd" / "run").mkdir(parents=True)
    conf = session_dir / "opensc.conf"
    conf.write_text(OPENSC_CONF_TEXT, encoding="utf-8")
    os.environ["PCSCLITE_CSOCK_NAME"] = str(session_dir / "pcscd" / "run" / "pcscd.comm")
    os.environ["OPENSC_CONF"] = str(conf)


def pytest_unconfigure(config: pytest.Config) -> None:
    session_dir = config.stash.get(SESSION_DIR, None)
    if session_dir is not None:
        shutil.rmtree(session_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def pcsc_service(pytestconfig: pytest.Config) -> Iterator[PcscService]:
    """A private pcscd with 8 vpcd readers; this process and its children talk to it."""
    service = PcscService(pytestconfig.stash[SESSION_DIR] / "pcscd", entries=READER_ENTRIES)
    assert service.env()["PCSCLITE_CSOCK_NAME"] == os.environ["PCSCLITE_CSOCK_NAME"]
    service.start()
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture(scope="session")
def test_pki(pytestconfig: pytest.Config) -> TestPki:
    """Kamu SM-shaped TEST chain; `.issue_holder(key_type, tckn=None, name=...)`."""
    return TestPki(pytestconfig.stash[SESSION_DIR] / "pki")


@pytest.fixture(scope="session")
def opensc_module() -> Path:
    """opensc-pkcs11.so; OPENSC_CONF already names a config with the PIV unblock style."""
    if not OPENSC_MODULE.exists():
        raise FileNotFoundError(f"{OPENSC_MODULE} missing: apt-get install opensc")
    return OPENSC_MODULE


@pytest.fixture
def virtual_card(
    pcsc_service: PcscService, test_pki: TestPki, tmp_path: Path
) -> Iterator[Callable[..., VirtualCard]]:
    """Factory: a PIV card with NES-shaped certificates in its own vpcd reader.

    virtual_card(atr="piv"|"akis"|"tckk", key_type="p384"|"rsa2048", pin="123456",
    puk="12345678", pin_tries=3, puk_tries=3, state_path=None, insert=True).
    An existing `state_path` is reused as is (re-insert scenarios across cards).
    """
    made: list[tuple[VirtualCard, ReaderSlot]] = []
    counter = itertools.count()

    def make(
        atr: str = "piv",
        key_type: str = "p384",
        *,
        pin: str = "123456",
        puk: str = "12345678",
        pin_tries: int = 3,
        puk_tries: int = 3,
        state_path: Path | None = None,
        insert: bool = True,
    ) -> VirtualCard:
        path = state_path or tmp_path / f"card-{next(counter)}.json"
        if not path.exists():
            create_state(
                test_pki,
                path,
                key_type=key_type,
                pin=pin,
                puk=puk,
                pin_tries=pin_tries,
                puk_tries=puk_tries,
            )
        slot = pcsc_service.acquire_slot()
        card = VirtualCard(path, atr, slot.port, reader=slot.name)
        made.append((card, slot))
        if insert:
            card.insert()
        return card

    yield make
    stuck = []
    for card, slot in made:  # only an empty reader goes back to the pool
        try:
            card.remove()
        except TimeoutError:
            stuck.append(slot.name)
            continue
        pcsc_service.release_slot(slot)
    assert not stuck, f"cards never left {stuck}; those readers stay out of the pool"


@pytest.fixture
def softhsm_token(
    test_pki: TestPki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., SoftHsmToken]:
    """Factory: a SoftHSM2 token with an NES-shaped key + certificate (ID 01)."""
    hsm = SoftHsm(tmp_path / "softhsm")
    monkeypatch.setenv("SOFTHSM2_CONF", str(hsm.conf))

    def make(
        label: str = "test", pin: str = "123456", so_pin: str = "12345678", key_type: str = "p384"
    ) -> SoftHsmToken:
        token = hsm.create_token(label, pin, so_pin, test_pki.issue_holder(key_type))
        reinitialize_loaded_module()
        return token

    return make
