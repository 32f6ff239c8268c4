"""Hypothesis: odd but valid certificates never break the facts parser."""

import datetime as dt

from cryptography import x509
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.pki.facts import TcknState, read_facts
from assistant.pki.tckn import is_valid_tckn
from tests.unit.pki import certgen as g

# Printable text including Turkish letters (ı İ ş Ş ğ Ğ ç Ç ö Ö ü Ü) and other scripts.
names = st.text(
    alphabet=st.characters(
        codec="utf-8", categories=("L", "N", "Zs", "Pd", "Po"), exclude_characters="\x00"
    ),
    min_size=1,
    max_size=16,  # CN is limited to 64 and cryptography counts UTF-8 bytes
).filter(lambda s: s.strip() != "")
turkish_names = st.sampled_from(["Şükrü Çağlar Işık", "İLKNUR ĞÜVEN", "Ömer Ünal", "ıiİI"])
serials = st.one_of(
    st.from_regex(r"[1-9][0-9]{10}", fullmatch=True),
    st.sampled_from(["10000000146", "12345678950", "PNOTR-12345678950"]),
    st.text(alphabet="0123456789ABCZ- ", min_size=1, max_size=20),
)
all_extensions = g.nes_extensions()
extension_subsets = st.lists(
    st.sampled_from(range(len(all_extensions))), unique=True, max_size=len(all_extensions)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cns=st.lists(st.one_of(names, turkish_names), max_size=3),
    serial_values=st.lists(serials, max_size=2),
    key_kind=st.sampled_from(["p384", "rsa2048", "p256"]),
    ext_indexes=extension_subsets,
    lifetime_days=st.integers(min_value=1, max_value=4000),
    offset_days=st.integers(min_value=-4000, max_value=4000),
)
def test_parser_handles_odd_valid_certificates(
    *,
    cns: list[str],
    serial_values: list[str],
    key_kind: str,
    ext_indexes: list[int],
    lifetime_days: int,
    offset_days: int,
) -> None:
    pairs = [(NameOID.COUNTRY_NAME, "TR")]
    pairs += [(NameOID.SERIAL_NUMBER, s) for s in serial_values]
    pairs += [(NameOID.COMMON_NAME, cn) for cn in cns]
    subject = x509.Name([x509.NameAttribute(oid, v) for oid, v in pairs])
    not_before = g.NOW + dt.timedelta(days=offset_days)
    cert = g.make_cert(
        subject,
        subject_key=g.key(key_kind),
        issuer=g.ca_pair("p384"),
        extensions=[all_extensions[i] for i in ext_indexes],
        not_before=not_before,
        not_after=not_before + dt.timedelta(days=lifetime_days),
    )

    f = read_facts(cert)

    assert f.common_names == tuple(cns)
    assert f.holder_name == (cns[0] if cns else None)
    if not serial_values:
        assert f.tckn_state is TcknState.ABSENT
    elif f.tckn_state is TcknState.VALID:
        assert f.tckn is not None and is_valid_tckn(f.tckn)
        assert f.tckn_masked == f.tckn[:3] + "******" + f.tckn[-2:]
    else:
        assert f.tckn is None
        assert not any(is_valid_tckn(s.strip().removeprefix("PNOTR-")) for s in serial_values)
    assert f.key.size in (256, 384, 2048)
    assert f.is_signing_certificate == (0 in ext_indexes)  # the KeyUsage extension
    v = f.validity_at(g.NOW)
    assert v.days_left == (f.not_after - g.NOW) // dt.timedelta(days=1)
