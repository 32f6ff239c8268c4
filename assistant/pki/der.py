"""The few DER reads cryptography leaves to us (QC statements arrive as raw bytes).

A deliberately tiny reader: definite lengths only (DER forbids the others) and no
interpretation beyond splitting tag-length-value triples.
"""

from __future__ import annotations

from collections.abc import Iterator

SEQUENCE = 0x30
OID = 0x06


class DerError(ValueError):
    """The bytes are not the DER the caller expected."""


def read_tlvs(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Yield (tag, value) for each element laid end to end in `data`."""
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise DerError("truncated header")
        tag, first = data[pos], data[pos + 1]
        pos += 2
        if first < 0x80:
            length = first
        else:
            count = first & 0x7F
            if count == 0 or count > 4 or pos + count > len(data):
                raise DerError("bad length")
            length = int.from_bytes(data[pos : pos + count], "big")
            pos += count
        if pos + length > len(data):
            raise DerError("truncated value")
        yield tag, data[pos : pos + length]
        pos += length


def decode_oid(value: bytes) -> str:
    """Dotted form of an OBJECT IDENTIFIER's content octets."""
    if not value or value[-1] & 0x80:
        raise DerError("bad OID")
    arcs: list[int] = []
    current = 0
    for byte in value:
        current = (current << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(current)
            current = 0
    first = arcs[0]
    head = [0, first] if first < 40 else [1, first - 40] if first < 80 else [2, first - 80]
    return ".".join(str(a) for a in head + arcs[1:])
