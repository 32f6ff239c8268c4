import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from assistant.pki.trust import ChainStatus, build_chain, load_trust_store, trust_locations
from tests.unit.pki import certgen as g

CA_EXTS = [x509.BasicConstraints(ca=True, path_length=None), g.key_usage(key_cert_sign=True)]


def _ca_name(cn: str) -> x509.Name:
    return g.name((NameOID.COUNTRY_NAME, "TR"), (NameOID.COMMON_NAME, cn))


@pytest.fixture(scope="module")
def hierarchy() -> dict[str, x509.Certificate]:
    root_key, issuing_key = g.key("p384", 10), g.key("p384", 11)
    root = g.make_cert(_ca_name("Kök - Sürüm 6"), subject_key=root_key, extensions=CA_EXTS)
    issuing = g.make_cert(
        _ca_name("ESHS - Sürüm 6"),
        subject_key=issuing_key,
        issuer=(root, root_key),
        extensions=CA_EXTS,
    )
    leaf = g.make_cert(
        g.holder_name(), subject_key=g.key("p384"), issuer=(issuing, issuing_key),
        extensions=g.nes_extensions(),
    )  # fmt: skip
    # Same name as the issuing CA, another key: must never be taken as the issuer.
    impostor = g.make_cert(
        _ca_name("ESHS - Sürüm 6"),
        subject_key=g.key("p384", 12),
        issuer=(root, root_key),
        extensions=CA_EXTS,
    )
    expired_issuing = g.make_cert(
        _ca_name("ESHS - Sürüm 6"),
        subject_key=issuing_key,
        issuer=(root, root_key),
        extensions=CA_EXTS,
        not_before=g.NOW - dt.timedelta(days=3000),
        not_after=g.NOW - dt.timedelta(days=1),
    )
    other_root = g.make_cert(
        _ca_name("Başka Kök"), subject_key=g.key("p384", 13), extensions=CA_EXTS
    )
    return {
        "root": root,
        "issuing": issuing,
        "leaf": leaf,
        "impostor": impostor,
        "expired_issuing": expired_issuing,
        "other_root": other_root,
    }


def _pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(Encoding.PEM) for c in certs)


def test_trusted_chain_from_card_intermediate_and_stored_root(
    hierarchy: dict[str, x509.Certificate], tmp_path: Path
) -> None:
    (tmp_path / "kok.pem").write_bytes(_pem(hierarchy["root"]))
    store = load_trust_store([tmp_path])
    result = build_chain(
        hierarchy["leaf"], [hierarchy["impostor"], hierarchy["issuing"]], store, g.NOW
    )
    assert result.status is ChainStatus.TRUSTED
    assert result.chain == (hierarchy["leaf"], hierarchy["issuing"], hierarchy["root"])
    assert result.issuer == hierarchy["issuing"]
    assert result.expired_in_chain == ()


def test_bundle_with_intermediate_completes_chain(
    hierarchy: dict[str, x509.Certificate], tmp_path: Path
) -> None:
    bundle = tmp_path / "kamusm.pem"
    bundle.write_bytes(_pem(hierarchy["issuing"], hierarchy["root"]))
    store = load_trust_store([bundle])
    assert store.anchors == (hierarchy["root"],)
    assert store.intermediates == (hierarchy["issuing"],)
    assert build_chain(hierarchy["leaf"], [], store, g.NOW).status is ChainStatus.TRUSTED


def test_missing_intermediate_is_incomplete(
    hierarchy: dict[str, x509.Certificate], tmp_path: Path
) -> None:
    (tmp_path / "kok.der").write_bytes(hierarchy["root"].public_bytes(Encoding.DER))
    store = load_trust_store([tmp_path])
    result = build_chain(hierarchy["leaf"], [hierarchy["impostor"]], store, g.NOW)
    assert result.status is ChainStatus.INCOMPLETE
    assert result.issuer is None


def test_root_not_in_store_is_untrusted(
    hierarchy: dict[str, x509.Certificate], tmp_path: Path
) -> None:
    (tmp_path / "other.pem").write_bytes(_pem(hierarchy["other_root"]))
    store = load_trust_store([tmp_path])
    card = [hierarchy["issuing"], hierarchy["root"]]
    result = build_chain(hierarchy["leaf"], card, store, g.NOW)
    assert result.status is ChainStatus.UNTRUSTED_ROOT
    assert result.issuer == hierarchy["issuing"]


def test_empty_store_still_finds_the_issuer_for_revocation(
    hierarchy: dict[str, x509.Certificate], tmp_path: Path
) -> None:
    store = load_trust_store([tmp_path / "does-not-exist"])
    result = build_chain(hierarchy["leaf"], [hierarchy["issuing"], hierarchy["root"]], store, g.NOW)
    assert result.status is ChainStatus.NO_TRUST_STORE
    assert result.issuer == hierarchy["issuing"]


def test_expired_ca_is_reported(hierarchy: dict[str, x509.Certificate], tmp_path: Path) -> None:
    (tmp_path / "kok.pem").write_bytes(_pem(hierarchy["root"]))
    store = load_trust_store([tmp_path])
    result = build_chain(hierarchy["leaf"], [hierarchy["expired_issuing"]], store, g.NOW)
    assert result.status is ChainStatus.TRUSTED
    assert result.expired_in_chain == (hierarchy["expired_issuing"],)


def test_unreadable_files_are_listed_not_fatal(
    hierarchy: dict[str, x509.Certificate], tmp_path: Path
) -> None:
    (tmp_path / "notes.pem").write_text("not a certificate")
    (tmp_path / "kok.crt").write_bytes(_pem(hierarchy["root"]))
    (tmp_path / "README.txt").write_text("ignored: not a certificate suffix")
    store = load_trust_store([tmp_path])
    assert store.unreadable == (tmp_path / "notes.pem",)
    assert store.anchors == (hierarchy["root"],)


def test_locations_from_env_or_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NES_ASISTAN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NES_ASISTAN_TRUST_DIR", raising=False)
    assert trust_locations() == [tmp_path / "home" / "config" / "trust"]
    monkeypatch.setenv("NES_ASISTAN_TRUST_DIR", f"{tmp_path / 'a'}:{tmp_path / 'b.pem'}")
    assert trust_locations() == [tmp_path / "a", tmp_path / "b.pem"]
