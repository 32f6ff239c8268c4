"""Dates, day counts and numbers written the way each language writes them (Babel/CLDR).

"12 Mart 2027", "12 March 2027", "12. März 2027", "12 مارس 2027"; "3 gün" (Turkish uses
one form after a number), "1 day"/"3 days", "3 Tage", "3 أيام"/"11 يومًا". English uses
British conventions (day before month), which reads naturally next to Turkish dates.
Arabic keeps Western digits, as on the card, the certificate and the CA's portal, so a
serial number or a date looks the same on the screen as on the paper.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from assistant.i18n.language import RIGHT_TO_LEFT, SOURCE_LANGUAGE

# Babel locale per shipped language (the region decides date order and separators).
BABEL_LOCALES: dict[str, str] = {"tr": "tr_TR", "en": "en_GB", "de": "de_DE", "ar": "ar"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# First-strong isolate … pop directional isolate: keeps an LTR value (a serial number, a
# Latin name) from being reordered into the surrounding Arabic sentence.
_FSI, _PDI = "\u2068", "\u2069"


def babel_locale(language: str) -> str:
    """The Babel locale for a language code (Turkish for an unknown one)."""
    return BABEL_LOCALES.get(language, BABEL_LOCALES[SOURCE_LANGUAGE])


def format_date(value: dt.date | str, language: str) -> str:
    """A calendar date in the long form: "12 Mart 2027". Accepts an ISO "2027-03-12"."""
    from babel.dates import format_date as babel_format_date

    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return babel_format_date(date, "long", locale=babel_locale(language))


def format_number(value: int | float, language: str) -> str:
    """A number with the language's separators: 1.234,5 (tr, de), 1,234.5 (en, ar)."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=babel_locale(language))


def format_days(count: int, language: str) -> str:
    """A count of days with the right plural form: "3 gün", "1 day", "3 Tage", "يومان"."""
    from babel import Locale
    from babel.units import format_unit

    locale = Locale.parse(babel_locale(language))
    patterns = locale._data["unit_patterns"]["duration-day"]
    # CLDR leaves the long form out where it equals the short one (tr, ar); Babel then
    # prints the unit's id, so fall back to the short form there.
    form = locale.plural_form(count)
    length: Literal["long", "short"] = "long" if form in patterns.get("long", {}) else "short"
    return format_unit(count, "duration-day", length=length, locale=locale)


def format_value(value: object, language: str) -> str:
    """A context value as a placeholder shows it: ISO dates and numbers localised,
    anything else as text; in a right-to-left language each value is bidi-isolated."""
    if isinstance(value, bool) or value is None:
        text = "" if value is None else str(value)
    elif isinstance(value, int | float):
        text = format_number(value, language)
    elif isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DATE.match(value)):
        text = format_date(value, language)
    else:
        text = str(value)
    if language in RIGHT_TO_LEFT and text:
        return f"{_FSI}{text}{_PDI}"
    return text
