"""A one-page printable walkthrough of a guided operation on the real Kamu SM site.

People keep the steps open next to the browser, or print them for a colleague, so the
page holds what the chat would say, in the person's language: the numbered steps with
the site's own labels exactly as the site shows them (Turkish: they must be found on the
screen), the brochure's safety warnings and the call centre number, and nothing about
the person (no name, no TC Kimlik No, no serial). HTML with print CSS is the source; the
PDF is the same page laid out by WeasyPrint (Pango shapes Arabic right to left).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from assistant.i18n import messages
from assistant.i18n.language import direction
from assistant.portal.guided import GuideBook, GuidedOperation, load_guides

PRINTABLE_TEXTS: dict[str, str] = {
    "printable.heading": "Kamu SM sitesinde adım adım",
    "printable.intro": (
        "Bu sayfayı tarayıcınızın yanında açık tutabilir ya da yazdırabilirsiniz. Kişisel "
        "bilgi içermez. Tırnak içindeki adları sitede aynen böyle görürsünüz."
    ),
    "printable.steps": "Adımlar",
    "printable.on_site": "Sitede",
    "printable.warnings": "Uyarı (Kamu SM broşüründen)",
    "printable.call_centre": "Kamu SM Çağrı Merkezi: {number}",
    "printable.site": "Site: {url}",
    "printable.made_by": "NES Asistanı ile hazırlandı.",
}
FONTS = '"DejaVu Sans", "Noto Sans", "Noto Naskh Arabic", sans-serif'
STYLE = f"""
@page {{ size: A4; margin: 10mm 12mm; }}
html {{ font-family: {FONTS}; font-size: 9pt; line-height: 1.3; color: #111; }}
body {{ margin: 0; max-width: 48rem; }}
h1 {{ font-size: 15pt; margin: 0 0 .2em; }}
h2 {{ font-size: 11pt; margin: .9em 0 .3em; }}
p {{ margin: .25em 0; }}
.intro, .note {{ color: #333; }}
ol.steps {{ margin: 0; padding-inline-start: 1.8em; }}
ol.steps li {{ margin: 0 0 .2em; break-inside: avoid; }}
.label {{ display: inline-block; border: 1px solid #555; border-radius: 3px;
          padding: 0 .35em; margin-inline-start: .4em; font-size: 8.5pt;
          unicode-bidi: isolate; }}
.warnings {{ border: 1.5pt solid #b91c1c; padding: .3em .7em; margin-top: .6em; }}
.warnings ul {{ margin: .2em 0; padding-inline-start: 1.2em; }}
.contact {{ font-size: 11pt; font-weight: bold; margin-top: .7em; }}
footer {{ margin-top: .6em; font-size: 8pt; color: #444; }}
@media screen {{ body {{ margin: 1.5rem auto; padding: 0 1rem; }} }}
@media print {{ a {{ color: inherit; text-decoration: none; }} }}
"""


@dataclass(frozen=True)
class SavedGuide:
    html: Path
    pdf: Path


def _say(message_id: str, language: str, **values: object) -> str:
    return html.escape(messages.text(message_id, PRINTABLE_TEXTS[message_id], language, values.get))


def guide_html(operation: GuidedOperation, language: str, book: GuideBook | None = None) -> str:
    """The walkthrough of `operation` (its login first) as one HTML page."""
    book = book or load_guides()
    guide = book.guides[operation]

    def shown(message_id: str, source: str) -> str:
        return html.escape(messages.text(message_id, source, language))

    title = shown(guide.title_id, guide.title_tr)
    steps = "\n".join(
        f'<li>{shown(step.message_id, step.text_tr)} <span class="label" lang="tr" dir="ltr"'
        f' title="{_say("printable.on_site", language)}">{html.escape(step.target)}</span></li>'
        for step in book.plan(operation)
    )
    notes = "\n".join(f'<p class="note">{shown(n.id, n.text_tr)}</p>' for n in book.notes)
    warnings = "\n".join(f"<li>{shown(w.id, w.text_tr)}</li>" for w in book.warnings)
    return f"""<!doctype html>
<html lang="{language}" dir="{direction(language)}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>{STYLE}</style>
</head>
<body>
<header>
<p>{_say("printable.heading", language)}</p>
<h1>{title}</h1>
<p class="intro">{_say("printable.intro", language)}</p>
</header>
<main>
<h2>{_say("printable.steps", language)}</h2>
<ol class="steps">
{steps}
</ol>
{notes}
<section class="warnings">
<h2>{_say("printable.warnings", language)}</h2>
<ul>
{warnings}
</ul>
</section>
<p class="contact">{_say("printable.call_centre", language, number=book.call_centre)}</p>
<p>{_say("printable.site", language, url=book.portal_url)}</p>
</main>
<footer>{_say("printable.made_by", language)}</footer>
</body>
</html>
"""


def guide_pdf(page: str) -> bytes:
    """The HTML page laid out as PDF (WeasyPrint; imported only when a PDF is made)."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    pdf = HTML(string=page).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def file_stem(operation: GuidedOperation, language: str) -> str:
    return f"Kamu-SM-rehber-{operation.value}-{language}"


def save_guide(operation: GuidedOperation, language: str, folder: Path) -> SavedGuide:
    """Write `<stem>.html` and `<stem>.pdf` into `folder` (an earlier copy of the same
    guide is replaced: it holds nothing but the guide)."""
    page = guide_html(operation, language)
    stem = file_stem(operation, language)
    saved = SavedGuide(folder / f"{stem}.html", folder / f"{stem}.pdf")
    saved.html.write_text(page, encoding="utf-8")
    saved.pdf.write_bytes(guide_pdf(page))
    return saved
