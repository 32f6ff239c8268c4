"""The Turkish source texts `nes-asistan demo` prints around the chat.

Ids: `demo.missing.<part>` for a system part that is not there (requirements.Part),
`demo.*` for the rest. Extracted by assistant.catalog_extract like every `*_TEXTS`.
"""

from __future__ import annotations

DEMO_TEXTS: dict[str, str] = {
    "demo.missing": "Demo başlatılamıyor; şunlar eksik:",
    "demo.missing.pcscd": "akıllı kart hizmeti (pcscd)",
    "demo.missing.vpcd": "sanal kart okuyucu sürücüsü (vpcd)",
    "demo.missing.opensc": "OpenSC'nin PKCS#11 modülü (kart sürücüsü)",
    "demo.missing.openssl": "openssl (sanal kartın OCSP yanıtlayıcısı için)",
    "demo.missing.unshare": "unshare komutu",
    "demo.missing.namespace": (
        "ayrı bir bağlama ad alanı (mount namespace): demo, bilgisayarın kendi kart "
        "hizmetine dokunmamak için kendi pcscd'sini orada başlatır. Root olarak (sudo) "
        "çalıştırın ya da kullanıcı ad alanlarına izin verin: "
        "sudo sysctl kernel.unprivileged_userns_clone=1"
    ),
    "demo.package": "Debian paketi: {package}",
    "demo.install": "Kurmak için: {command}",
    "demo.failed": "Demo başlatılamadı: {reason}",
    "demo.card": (
        "Demo kartı takıldı: sanal bir AKİS kartı, TEST sertifikasıyla (gerçek değildir). "
        "PIN: {pin}"
    ),
    "demo.state": "Demo verileri: {folder} (yeni bir kart için bu klasörü silin)",
    "demo.portal": (
        "Eğitim portalı (gerçek Kamu SM değildir): {url}. Giriş için T.C. Kimlik No: "
        "{tckn}, Güvenlik Sözcüğü: {word}. SMS Onay Kodları telefona değil şu dosyaya "
        "yazılır: {outbox}"
    ),
}
