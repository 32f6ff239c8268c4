"""BER-TLV encoding for the virtual PIV card.

PIV data objects, GENERAL AUTHENTICATE templates and the SELECT answer are all
BER-TLV with one- or two-byte tags; the card needs to build them and to pick
tags out of the host's requests. Kept apart so the card module reads like the
spec rather than like byte juggling.
"""

from __future__ import annotations


def encode_length(length: int) -> bytes:
    """DER length octets (short form below 128, then 81 xx / 82 xx xx)."""
    if length < 0x80:
        return bytes([length])
    if length <= 0xFF:
        return bytes([0x81, length])
    if length <= 0xFFFF:
        return bytes([0x82]) + length.to_bytes(2, "big")
    raise ValueError(f"TLV value too long: {length}")


def tlv(tag: int, value: bytes) -> bytes:
    """One TLV; multi-byte tags are given as their integer value (e.g. 0x5FC102)."""
    tag_bytes = tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")
    return tag_bytes + encode_length(len(value)) + value


def parse(data: bytes) -> list[tuple[int, bytes]]:
    """Top-level TLVs of `data` as (tag, value) pairs; raises ValueError when malformed."""
    items: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(data):
        tag = data[pos]
        pos += 1
        if tag & 0x1F == 0x1F:  # multi-byte tag: continue while b8 is set
            while True:
                if pos >= len(data):
                    raise ValueError("truncated tag")
                tag = (tag << 8) | data[pos]
                pos += 1
                if not data[pos - 1] & 0x80:
                    break
        if pos >= len(data):
            raise ValueError("missing length")
        length = data[pos]
        pos += 1
        if length & 0x80:
            count = length & 0x7F
            if count == 0 or count > 3 or pos + count > len(data):
                raise ValueError("bad length")
            length = int.from_bytes(data[pos : pos + count], "big")
            pos += count
        if pos + length > len(data):
            raise ValueError("value runs past the end")
        items.append((tag, data[pos : pos + length]))
        pos += length
    return items


def find(data: bytes, tag: int) -> bytes | None:
    """The value of the first top-level `tag` in `data`, or None."""
    for item_tag, value in parse(data):
        if item_tag == tag:
            return value
    return None
