"""`sign.preview` and `sign.verify` on files, without a card: what a typed or dropped path
becomes, and the outcome each kind of file gets (the card side is in
tests/integration/agent/test_sign_document.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.agent.sign_actions import SignActions, document_path
from assistant.card.service import CardService
from assistant.demo.documents import write_sample_pdf
from assistant.flow.actions import ActionContext


@pytest.fixture
def actions() -> SignActions:
    return SignActions(CardService())  # never started: no reader, no card


@pytest.fixture
def context() -> ActionContext:
    return ActionContext("c1", "terminal", "tr")


def test_a_dropped_path_is_unquoted_and_a_home_path_expanded(tmp_path: Path) -> None:
    target = tmp_path / "a b.pdf"
    assert document_path(f"'{target}'") == target
    assert document_path(f' "{target}" ') == target
    assert document_path(f"file://{str(target).replace(' ', '%20')}") == target
    assert document_path("~/dilekce.pdf") == Path.home() / "dilekce.pdf"


def test_a_pdf_is_described_with_pages_size_and_short_hash(
    actions: SignActions, context: ActionContext, tmp_path: Path
) -> None:
    pdf = write_sample_pdf(tmp_path / "dilekce.pdf", pages=3)
    result = actions.preview(context, str(pdf))
    assert result.outcome == "pdf"
    assert result.outputs["pages"] == 3 and result.outputs["name"] == "dilekce.pdf"
    assert str(result.outputs["size"]).endswith(("KB", " B"))
    assert len(str(result.outputs["sha256_short"]).split()) == 4


@pytest.mark.parametrize(
    ("make", "outcome"),
    [
        (lambda d: d / "yok.pdf", "not_found"),
        (lambda d: d, "folder"),
        (lambda d: _write(d / "rapor.txt", b"rapor"), "file"),
    ],
)
def test_each_kind_of_path_gets_its_outcome(
    actions: SignActions, context: ActionContext, tmp_path: Path, make: object, outcome: str
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    assert actions.preview(context, str(path)).outcome == outcome


def test_an_unsigned_pdf_is_not_a_signed_document(
    actions: SignActions, context: ActionContext, tmp_path: Path
) -> None:
    pdf = write_sample_pdf(tmp_path / "dilekce.pdf", pages=1)
    result = actions.verify(context, str(pdf), "")
    assert result.outcome == "not_signed" and result.outputs["name"] == "dilekce.pdf"


def test_signing_without_a_card_says_removed_and_writes_nothing(
    actions: SignActions, context: ActionContext, tmp_path: Path
) -> None:
    from assistant.secret import Secret, SecretKind

    pdf = write_sample_pdf(tmp_path / "dilekce.pdf", pages=1)
    result = actions.document(
        context, str(pdf), "pdf", "invisible", Secret("731904", SecretKind.PIN)
    )
    assert result.outcome == "removed"
    assert [p.name for p in tmp_path.iterdir()] == ["dilekce.pdf"]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
