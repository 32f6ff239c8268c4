import datetime as dt

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from assistant.pki.facts import CertificateFacts, read_facts
from assistant.pki.selection import NotChosenReason, pick_signing_certificate
from tests.unit.pki import certgen as g

DAY = dt.timedelta(days=1)


def _holder(
    ca: tuple[x509.Certificate, g.PrivateKey],
    extensions: list[x509.ExtensionType],
    not_before: dt.datetime = g.NOW - 100 * DAY,
    not_after: dt.datetime = g.NOW + 900 * DAY,
) -> CertificateFacts:
    return read_facts(
        g.make_cert(
            g.holder_name(),
            subject_key=g.key("p384"),
            issuer=ca,
            extensions=extensions,
            not_before=not_before,
            not_after=not_after,
        )
    )


def test_picks_nes_signing_cert_and_explains_the_rest() -> None:
    ca = g.ca_pair()
    signing = _holder(ca, g.nes_extensions())
    auth = _holder(
        ca,
        [
            g.key_usage(digital_signature=True),
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]),
        ],
    )
    enc = _holder(ca, [g.key_usage(key_encipherment=True)])
    old = _holder(ca, g.nes_extensions(), g.NOW - 1200 * DAY, g.NOW - 100 * DAY)
    renewed = _holder(ca, g.nes_extensions(), g.NOW + 900 * DAY, g.NOW + 2000 * DAY)
    nonq = _holder(ca, [g.key_usage(content_commitment=True)], not_after=g.NOW + 2000 * DAY)
    bare = _holder(ca, [])
    ca_facts = read_facts(ca[0])

    choice = pick_signing_certificate(
        [ca_facts, auth, old, enc, renewed, nonq, signing, bare], g.NOW
    )

    assert choice.chosen is signing
    reasons = {id(c): r for c, r in choice.others}
    assert reasons == {
        id(ca_facts): NotChosenReason.CA,
        id(auth): NotChosenReason.AUTHENTICATION,
        id(enc): NotChosenReason.ENCRYPTION,
        id(old): NotChosenReason.EXPIRED,
        id(renewed): NotChosenReason.NOT_YET_VALID,
        id(nonq): NotChosenReason.NOT_QUALIFIED,
        id(bare): NotChosenReason.OTHER_USE,
    }


def test_only_expired_signing_cert_is_still_chosen() -> None:
    ca = g.ca_pair()
    old = _holder(ca, g.nes_extensions(), g.NOW - 1200 * DAY, g.NOW - 5 * DAY)
    choice = pick_signing_certificate([old], g.NOW)
    assert choice.chosen is old and choice.others == ()


def test_two_valid_signing_certs_latest_wins() -> None:
    ca = g.ca_pair()
    a = _holder(ca, g.nes_extensions(), not_after=g.NOW + 50 * DAY)
    b = _holder(ca, g.nes_extensions(), not_after=g.NOW + 500 * DAY)
    choice = pick_signing_certificate([a, b], g.NOW)
    assert choice.chosen is b
    assert choice.others == ((a, NotChosenReason.SUPERSEDED),)


def test_no_signing_certificate() -> None:
    ca = g.ca_pair()
    auth = _holder(ca, [g.key_usage(digital_signature=True)])
    choice = pick_signing_certificate([auth], g.NOW)
    assert choice.chosen is None
    assert choice.others == ((auth, NotChosenReason.AUTHENTICATION),)
