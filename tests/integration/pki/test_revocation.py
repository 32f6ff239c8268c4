"""check_revocation end to end: cache, OCSP, CRL fallback, and no network at all."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.x509 import ocsp

from assistant.pki.cache import RevocationCache
from assistant.pki.revocation import check_revocation
from assistant.pki.status import Problem, RevocationStatus, Source
from tests.integration.pki.conftest import Scenario, free_port

pytestmark = pytest.mark.integration


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture
def no_network() -> Iterator[httpx.Client]:
    """A real client whose every request dies at a proxy port nobody listens on."""
    with httpx.Client(proxy=f"http://127.0.0.1:{free_port()}", timeout=2.0) as c:
        yield c


def test_ocsp_answer_is_cached_until_next_update(
    scenario: Scenario, client: httpx.Client, no_network: httpx.Client, tmp_path: Path
) -> None:
    cache = RevocationCache(tmp_path)
    cert, issuer = scenario.suspended.certificate, scenario.pki.issuing_cert
    first = check_revocation(cert, issuer, client=client, cache=cache, now=now())
    assert first.status is RevocationStatus.SUSPENDED and not first.from_cache
    assert first.next_update is not None

    offline_but_cached = check_revocation(cert, issuer, client=no_network, cache=cache, now=now())
    assert offline_but_cached.status is RevocationStatus.SUSPENDED
    assert offline_but_cached.from_cache

    after_next_update = first.next_update + dt.timedelta(minutes=10)
    expired = check_revocation(cert, issuer, client=no_network, cache=cache, now=after_next_update)
    assert expired.status is RevocationStatus.UNAVAILABLE
    assert expired.problem is Problem.OFFLINE
    assert list(tmp_path.glob("*.json")) == []  # the stale entry was dropped


def test_edited_cache_file_is_not_believed(
    scenario: Scenario, client: httpx.Client, no_network: httpx.Client, tmp_path: Path
) -> None:
    cache = RevocationCache(tmp_path)
    cert, issuer = scenario.revoked.certificate, scenario.pki.issuing_cert
    assert check_revocation(cert, issuer, client=client, cache=cache, now=now()).status is (
        RevocationStatus.REVOKED
    )
    (entry_path,) = tmp_path.glob("*.json")
    entry = json.loads(entry_path.read_text())
    raw = bytearray(base64.b64decode(entry["der"]))
    signature = ocsp.load_der_ocsp_response(bytes(raw)).signature
    raw[raw.find(signature) + len(signature) // 2] ^= 0x01  # one bit of the CA's signature
    entry["der"] = base64.b64encode(bytes(raw)).decode()
    entry_path.write_text(json.dumps(entry))

    result = check_revocation(cert, issuer, client=no_network, cache=cache, now=now())
    assert not result.from_cache
    assert result.problem is Problem.OFFLINE
    assert not entry_path.exists()

    entry_path.write_text("{not json")
    assert cache.get(cert, issuer, now()) is None
    assert not entry_path.exists()


def test_crl_fallback_when_ocsp_is_down(scenario: Scenario, client: httpx.Client) -> None:
    pki = scenario.pki
    holder = pki.issue_holder(ocsp_url=f"http://127.0.0.1:{free_port()}/")
    pki.revoke(holder, "superseded")  # rewrites the CRL the certificate names
    result = check_revocation(holder.certificate, pki.issuing_cert, client=client, now=now())
    assert result.status is RevocationStatus.REVOKED
    assert result.source is Source.CRL


def test_crl_answers_when_ocsp_response_is_untrustworthy(
    scenario: Scenario, client: httpx.Client
) -> None:
    pki = scenario.pki
    holder = pki.issue_holder(ocsp_url=pki.responders["rogue"].url)
    result = check_revocation(holder.certificate, pki.issuing_cert, client=client, now=now())
    assert result.status is RevocationStatus.GOOD
    assert result.source is Source.CRL


def test_no_network_is_an_answer(scenario: Scenario, no_network: httpx.Client) -> None:
    result = check_revocation(
        scenario.good.certificate, scenario.pki.issuing_cert, client=no_network, now=now()
    )
    assert result.status is RevocationStatus.UNAVAILABLE
    assert result.problem is Problem.OFFLINE
    assert result.source is Source.OCSP


def test_default_cache_lives_under_the_app_cache_dir(
    scenario: Scenario, client: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NES_ASISTAN_HOME", str(tmp_path))
    cache = RevocationCache()
    check_revocation(
        scenario.good.certificate, scenario.pki.issuing_cert, client=client, cache=cache, now=now()
    )
    assert len(list((tmp_path / "cache" / "revocation").glob("*.json"))) == 1
