"""Signing on the virtual card: an open token, its NES certificate, the TEST roots as the
trust store, `openssl ocsp` answering for the card's certificate, sample documents."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.card.certificates import CardCertificate
from assistant.card.profiles import ProfileSet
from assistant.card.token import TokenSession, open_token
from assistant.demo.documents import write_sample_pdf
from assistant.demo.ocsp import OcspResponder, start_openssl_ocsp
from assistant.demo.pki import TestPki
from assistant.pki.trust import TrustStore, load_trust_store
from assistant.secret import Secret, SecretKind
from assistant.sign.signing import CardKey
from tests.integration.sign.tools import nss_store


@dataclass
class SigningCard:
    card: Any
    token: TokenSession
    key: CardKey

    def pin(self, value: str | None = None) -> Secret:
        return Secret(value or self.card.pin, SecretKind.PIN)


def open_key(card: Any, module: Path) -> SigningCard:
    opened = open_token(ProfileSet.load().get("piv"), reader=card.reader, configured_module=module)
    assert opened.ok, opened
    token = opened.unwrap()
    listed = token.certificates()
    assert listed.ok, listed
    certificates = listed.unwrap()
    signing: CardCertificate = next(c for c in certificates if c.non_repudiation)
    return SigningCard(card, token, CardKey(token, signing, certificates))


@pytest.fixture
def signing_card(
    virtual_card: Callable[..., Any], opensc_module: Path
) -> Callable[..., SigningCard]:
    """Factory: a virtual card (key_type p384 | rsa2048) and its CardKey."""

    def make(**kwargs: Any) -> SigningCard:
        return open_key(virtual_card(**kwargs), opensc_module)

    return make


@pytest.fixture
def ocsp(test_pki: TestPki) -> Iterator[Callable[[], OcspResponder]]:
    """Factory: start `openssl ocsp` for the TEST PKI (after the card was made: openssl
    reads index.txt only when it starts)."""
    running: list[OcspResponder] = []

    def start() -> OcspResponder:
        test_pki.serve_files()  # the CRL and the issuing CA, on the URLs the certificates name
        for responder in running:
            responder.stop()
        running.clear()
        d = test_pki.dir
        responder = start_openssl_ocsp(
            d, d / "ca.pem", (d / "ocsp.pem", d / "ocsp.key"), test_pki.ocsp_port, "sign",
            "-nmin", "60",
        )  # fmt: skip
        running.append(responder)
        return responder

    yield start
    for responder in running:
        responder.stop()
    test_pki.stop_serving()


@dataclass
class Rig:
    """Everything a signing test uses, in one fixture."""

    card: Callable[..., SigningCard]
    ocsp: Callable[[], OcspResponder]
    pki: TestPki
    tmp: Path
    trust: TrustStore
    """The TEST root and issuing CA, as a user's trust folder would hold them."""
    client: httpx.Client
    document: Path
    """A two-page sample PDF, `docs/dilekce.pdf`."""
    nss: Path
    """An NSS store trusting the TEST root, for pdfsig and vfychain."""


@pytest.fixture
def rig(
    signing_card: Callable[..., SigningCard],
    ocsp: Callable[[], OcspResponder],
    test_pki: TestPki,
    tmp_path: Path,
) -> Iterator[Rig]:
    folder = tmp_path / "trust"
    folder.mkdir()
    for name in ("root.pem", "ca.pem"):
        shutil.copyfile(test_pki.dir / name, folder / name)
    docs = tmp_path / "docs"
    docs.mkdir()
    document = write_sample_pdf(docs / "dilekce.pdf", pages=2)
    nss = nss_store(tmp_path / "nss", test_pki.dir / "root.pem")
    with httpx.Client(timeout=httpx.Timeout(5.0), trust_env=False) as client:
        yield Rig(
            signing_card,
            ocsp,
            test_pki,
            tmp_path,
            load_trust_store([folder]),
            client,
            document,
            nss,
        )
