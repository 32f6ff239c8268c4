from hypothesis import given
from hypothesis import strategies as st

from assistant.pki.tckn import is_valid_tckn, mask_in_text, mask_tckn, tckn_from_subject_serial


def test_known_valid_and_invalid_numbers() -> None:
    assert is_valid_tckn("10000000146")
    assert is_valid_tckn("12345678950")
    assert not is_valid_tckn("12345678951")  # last check digit off by one
    assert not is_valid_tckn("12345678940")  # tenth digit wrong
    assert not is_valid_tckn("02345678950")  # leading zero
    assert not is_valid_tckn("1234567895")  # ten digits
    assert not is_valid_tckn("1234567895a")
    assert not is_valid_tckn("١٢٣٤٥٦٧٨٩٥٠")  # Arabic-Indic digits are not accepted


@given(st.lists(st.integers(0, 9), min_size=9, max_size=9).filter(lambda d: d[0] != 0))
def test_every_nine_digit_prefix_has_exactly_one_valid_completion(prefix: list[int]) -> None:
    head = "".join(map(str, prefix))
    valid = [
        f"{head}{a}{b}" for a in range(10) for b in range(10) if is_valid_tckn(f"{head}{a}{b}")
    ]
    assert len(valid) == 1


def test_mask_shows_only_first_three_and_last_two() -> None:
    assert mask_tckn("12345678950") == "123******50"


def test_subject_serial_forms() -> None:
    assert tckn_from_subject_serial("12345678950") == "12345678950"
    assert tckn_from_subject_serial(" PNOTR-12345678950") == "12345678950"
    assert tckn_from_subject_serial("12345678951") is None
    assert tckn_from_subject_serial("ABC123") is None


def test_numbers_shaped_like_a_tckn_are_masked_inside_free_text() -> None:
    line = "kart 12345678950 okundu; seri 012345678901, sayaç 1234567895012, id=10000000146"
    assert mask_in_text(line) == (
        "kart 123******50 okundu; seri 012345678901, sayaç 1234567895012, id=100******46"
    )
