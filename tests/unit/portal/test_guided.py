"""The guided steps for the real site: complete, in the brochure's words, and checked."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.portal.guided import (
    GUIDE_PATH,
    GuidedOperation,
    GuideError,
    LocalCheck,
    StepAction,
    load_guides,
)
from assistant.secret import SecretKind

BROCHURE_LABELS = {
    "Online İşlemler",
    "Nitelikli Elektronik Sertifika İşlemleri",
    "Kimlik No",
    "Resimdeki Yazı",
    "Güvenlik Sözcüğü",
    "Giriş",
    "SMS Onay Kodu",
    "Şifreli Giriş",
    "E-İmzalı Giriş",
    "Askıdan İndir",
    "Sertifikamı İptal Et",
    "Bilgi Güncelle",
    "Sertifika Listele",
    "PIN / PUK Bilgisi",
    "Parolalarımı Kaydet",
    "Parolalarımı Sil",
    "Kilit Çözme",
    "Yeni PIN Üret",
    "Çıkış",
    "Güvenlik Sözcüğümü Unuttum",
}


def test_every_label_of_the_brochure_is_a_step_target() -> None:
    book = load_guides()
    targets = {step.target for guide in book.guides.values() for step in guide.steps}
    assert targets >= BROCHURE_LABELS, BROCHURE_LABELS - targets


def test_login_follows_the_brochure_order_and_secrets_go_to_the_site() -> None:
    steps = load_guides().plan(GuidedOperation.LOGIN_PASSWORD)
    targets = [s.target for s in steps]
    order = [
        "Online İşlemler",
        "Nitelikli Elektronik Sertifika İşlemleri",
        "Kimlik No",
        "Resimdeki Yazı",
        "Güvenlik Sözcüğü",
        "Giriş",
        "SMS Onay Kodu",
        "Şifreli Giriş",
    ]
    assert [t for t in targets if t in order] == order
    secrets = {s.target: s.secret for s in steps if s.secret}
    assert secrets == {
        "Güvenlik Sözcüğü": SecretKind.SECURITY_WORD,
        "SMS Onay Kodu": SecretKind.SMS_CODE,
    }
    assert all(s.action is StepAction.TYPE_SECRET_ON_SITE for s in steps if s.secret)


def test_menu_operations_start_with_the_login_and_end_with_their_button() -> None:
    book = load_guides()
    unlock = book.plan(GuidedOperation.UNLOCK)
    assert unlock[0].target == "https://www.kamusm.gov.tr"
    assert [s.target for s in unlock[-2:]] == ["Yeni PIN", "Yeni PIN Üret"]
    assert set(book.guides[GuidedOperation.UNLOCK].checks) == {
        LocalCheck.PIN_NOT_LOCKED,
        LocalCheck.NEW_PIN_VERIFIES,
    }


def test_irreversible_clicks_are_marked_dangerous_and_never_ask_for_a_puk() -> None:
    book = load_guides()
    dangerous = {(op, s.target) for op, g in book.guides.items() for s in g.steps if s.dangerous}
    assert (GuidedOperation.REVOKE, "Sertifikamı İptal Et") in dangerous
    assert (GuidedOperation.DELETE_PIN, "Parolalarımı Sil") in dangerous
    assert all(s.secret is not SecretKind.PUK for g in book.guides.values() for s in g.steps)
    assert book.guides[GuidedOperation.REVOKE].checks == (LocalCheck.OCSP_REVOKED,)
    assert book.call_centre == "444 5 576"


def test_every_operation_has_a_guide_with_turkish_text() -> None:
    book = load_guides()
    assert set(book.guides) == set(GuidedOperation)
    for guide in book.guides.values():
        assert guide.title_tr and all(step.text_tr for step in guide.steps)


def write_variant(tmp_path: Path, change: str) -> Path:
    data = yaml.safe_load(GUIDE_PATH.read_text(encoding="utf-8"))
    if change == "secret_on_click":
        data["operations"]["logout"]["steps"][0]["secret"] = "pin"
    elif change == "missing_operation":
        del data["operations"]["lost_card"]
    elif change == "unknown_check":
        data["operations"]["logout"]["checks"] = ["card_exploded"]
    path = tmp_path / f"{change}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("change", ["secret_on_click", "missing_operation", "unknown_check"])
def test_malformed_guides_are_rejected(tmp_path: Path, change: str) -> None:
    with pytest.raises(GuideError):
        load_guides(write_variant(tmp_path, change))
