"""The Turkish source texts of the command line (help, errors) and of its desktop launcher.

Ids: `cli.<command>` for a command's one-line help, `cli.<command>.<option>` for its
options, `cli.error.*` for argparse's own complaints in our words, `desktop.*` for the
launcher's name and comment. The Babel extractor picks up `CLI_TEXTS` (babel.cfg); only
the catalogs of the language asked for are read, and none for Turkish, so
`nes-asistan --help` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.i18n.language import SOURCE_LANGUAGE

CLI_TEXTS: dict[str, str] = {
    "cli.description": (
        "NES Asistanı: nitelikli elektronik sertifika (NES) kartınızı kurmanız, PIN'inizi "
        "güvende tutmanız ve sorunlarını çözmeniz için yerel, sohbet tarzı yardımcı. "
        "Komut vermeden çalıştırıldığında terminalde sohbet başlar."
    ),
    "cli.exit_codes": (
        "Çıkış kodları:\n"
        "  0    tamam\n"
        "  1    bitti, ama dikkat isteyen bir şey var (akış denetimi sorun buldu, doctor "
        "uyarı verdi, yardım masasına ulaşılamadı)\n"
        "  2    çalışamadı: yanlış seçenek, bozuk akış dosyası, eksik sistem gereksinimi, "
        "doctor bir arıza buldu\n"
        "  130  Ctrl-C ile durduruldu"
    ),
    "cli.usage": "kullanım: ",
    "cli.options": "seçenekler",
    "cli.commands": "komutlar",
    "cli.metavar.command": "KOMUT",
    "cli.help": "bu yardımı göster ve çık",
    "cli.version": "sürümü göster ve çık",
    "cli.lang": "konuşma dili: tr, en, de, ar (varsayılan: sistem dili, yoksa tr)",
    "cli.flows": "akış dosyaları (flows/*.yaml) için araçlar",
    "cli.flows.lint": "akış dosyalarını yükle ve denetle; sorun varsa çıkış kodu 1",
    "cli.flows.lint.paths": (
        "dosya ya da klasör (varsayılan: asistanın çalıştırdığı akışlar, NES_ASISTAN_FLOWS dahil)"
    ),
    "cli.flows.lint.registry": "eylem kaydı (varsayılan: asistanın kendisi)",
    "cli.flows.lint.no_catalogs": (
        "çeviri kataloglarında eksik metin arama (ör. yeni yazılan bir akış için)"
    ),
    "cli.agent": "kartı tutan arka plan sürecini başlat; sohbetler ona bağlanır",
    "cli.web": "sohbeti tarayıcıda aç (yalnızca bu bilgisayardan erişilebilir)",
    "cli.web.port": "port (0: boş bir port)",
    "cli.web.no_browser": "tarayıcıyı açma; yalnızca adresi yaz",
    "cli.support": "kurumunuzun yardım masasından destek isteyin; bir kod gösterir",
    "cli.helpdesk": "yardım masası sunucusu (Telegram botu ve aktarıcı)",
    "cli.helpdesk.config": "yapılandırma (TOML)",
    "cli.doctor": ("kurulumu denetle (okuyucu, kart, sürücü, sertifika, PIN, saat); çıkış 0/1/2"),
    "cli.doctor.json": "sonuçları JSON olarak yaz",
    "cli.doctor.report": (
        "destek raporunu DOSYA'ya (metin) ve DOSYA.json'a yaz; gizli bilgi içermez"
    ),
    "cli.doctor.include_certificate": (
        "imza sertifikasını rapora ekle (T.C. Kimlik No'nuzu açıkça içerir)"
    ),
    "cli.demo": (
        "kart olmadan deneyin: sanal bir AKİS kartı ve TEST sertifikasıyla sohbet (PIN 123456)"
    ),
    "cli.demo.web": "sohbeti terminal yerine tarayıcıda aç",
    "cli.demo.portal": (
        "eğitim portalını da başlat: Kilit Çözme, PIN / PUK Bilgisi ve iptal denenebilir"
    ),
    "cli.demo.state": "demo kartının ve verilerinin klasörü (varsayılan: kullanıcı veri klasörü)",
    "cli.desktop_entry": "masaüstü menüsüne web sohbetini açan bir kısayol ekle",
    "cli.desktop_entry.install": (
        "kısayolu ve simgesini kullanıcının menüsüne yaz (yoksa yalnızca kısayol dosyasını göster)"
    ),
    "cli.metavar.file": "DOSYA",
    "cli.metavar.folder": "KLASÖR",
    "cli.metavar.path": "YOL",
    "cli.metavar.code": "KOD",
    "cli.error": "hata",
    "cli.error.unrecognized": "bilinmeyen seçenek ya da fazladan değer: {values}",
    "cli.error.choice": "{option}: {value} diye bir seçenek yok; şunlardan biri olmalı: {choices}",
    "cli.error.required": "şu da gerekli: {values}",
    "cli.error.value_needed": "{option}: bir değer bekliyor",
    "cli.error.number": "{option}: bir sayı olmalı, {value} değil",
    "cli.error.language": "{value} dili yok; şunlardan biri olmalı: {choices}",
    "cli.error.argument": "{option}: {detail}",
    "desktop.name": "NES Asistanı",
    "desktop.comment": "E-imza kartınız için yardımcı: kurulum, PIN, sertifika, sorunlar",
}

Text = Callable[[str], str]


def cli_text(language: str = SOURCE_LANGUAGE) -> Text:
    """`text(message_id)` in `language`, falling back to Turkish for anything untranslated."""
    if language == SOURCE_LANGUAGE:
        return CLI_TEXTS.__getitem__
    from assistant.i18n.catalog import translate

    def text(message_id: str) -> str:
        return translate(message_id, CLI_TEXTS[message_id], language)

    return text
