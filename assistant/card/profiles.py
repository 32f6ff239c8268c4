"""Card profiles: ATR → what the assistant may and may not do with this card.

The facts live in profiles.yaml (data, reviewed like documentation); this module only
loads, validates and matches them. Loading is strict — an unknown key or a malformed ATR
is an error at start-up rather than a silently ignored safety setting.
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.card.atr import Atr, format_hex, parse_hex
from assistant.resources import packaged

PROFILES_ENV = "NES_ASISTAN_PROFILES"  # a site's own profiles.yaml instead of the shipped one


class ProfileError(ValueError):
    """profiles.yaml (or a replacement file) is malformed."""


class PukManager(enum.StrEnum):
    USER = "user"
    CA = "ca"
    ISSUER = "issuer"
    UNKNOWN = "unknown"


class UnblockStyle(enum.StrEnum):
    SO_LOGIN_INIT_PIN = "so_login_init_pin"
    SET_PIN_UNLOGGED = "set_pin_unlogged"


class MatchKind(enum.StrEnum):
    EXACT = "exact"
    PATTERN = "pattern"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class PinPolicy:
    min_length: int | None
    max_length: int | None
    digits_only: bool


@dataclass(frozen=True)
class RetryProbe:
    """VERIFY-without-data parameters; `select_aid` is sent first when given."""

    pin_reference: int
    puk_reference: int | None
    select_aid: bytes | None


@dataclass(frozen=True)
class InstallHint:
    package: str
    url: str
    platforms: tuple[str, ...]
    requires: tuple[str, ...]


@dataclass(frozen=True)
class KnownAtr:
    atr: bytes
    description: str


@dataclass(frozen=True)
class CardProfile:
    id: str
    name: str
    family: str
    atrs: tuple[KnownAtr, ...]
    historical: tuple[re.Pattern[str], ...]
    modules: Mapping[str, tuple[str, ...]]
    """Platform ("linux", "windows", "darwin") → candidate module paths (templates)."""
    install: tuple[InstallHint, ...]
    pin: PinPolicy
    puk_manager: PukManager
    retry_probe: RetryProbe | None
    unblock_style: UnblockStyle
    fallback: bool

    @property
    def puk_allowed(self) -> bool:
        """Only a PUK the holder manages may be sent; CA/issuer PUKs are never ours to use."""
        return self.puk_manager is PukManager.USER

    def install_hints(self, platform: str) -> tuple[InstallHint, ...]:
        return tuple(h for h in self.install if platform in h.platforms)


@dataclass(frozen=True)
class ProfileMatch:
    profile: CardProfile
    atr: Atr
    kind: MatchKind
    description: str | None
    """The known-ATR description (pcsc-tools wording) for exact matches."""


_PROFILE_KEYS = {
    "id",
    "name",
    "family",
    "atrs",
    "historical",
    "modules",
    "install",
    "pin",
    "puk_manager",
    "retry_probe",
    "unblock_style",
    "fallback",
}
_REQUIRED = _PROFILE_KEYS - {"atrs", "historical", "fallback"}


class ProfileSet:
    def __init__(self, profiles: Sequence[CardProfile]) -> None:
        fallbacks = [p for p in profiles if p.fallback]
        if len(fallbacks) != 1:
            raise ProfileError("exactly one profile must have fallback: true")
        ids = [p.id for p in profiles]
        if len(set(ids)) != len(ids):
            raise ProfileError("duplicate profile id")
        self.profiles = tuple(profiles)
        self._fallback = fallbacks[0]
        self._exact: dict[bytes, tuple[CardProfile, KnownAtr]] = {}
        for profile in profiles:
            for known in profile.atrs:
                if known.atr in self._exact:
                    raise ProfileError(f"ATR listed twice: {format_hex(known.atr)}")
                self._exact[known.atr] = (profile, known)

    @classmethod
    def load(cls, path: Path | None = None) -> ProfileSet:
        """`path`, else the file `NES_ASISTAN_PROFILES` names (a site's override, the
        demo's), else the packaged profiles.yaml."""
        import yaml

        if path is None and os.environ.get(PROFILES_ENV):
            path = Path(os.environ[PROFILES_ENV])
        if path is None:
            text = packaged("card", "profiles.yaml").read_text("utf-8")
        else:
            text = path.read_text("utf-8")
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ProfileError(f"not valid YAML: {exc}") from exc
        if not isinstance(document, dict) or not isinstance(document.get("profiles"), list):
            raise ProfileError("expected a mapping with a 'profiles' list")
        return cls([_profile(entry) for entry in document["profiles"]])

    def get(self, profile_id: str) -> CardProfile:
        for profile in self.profiles:
            if profile.id == profile_id:
                return profile
        raise KeyError(profile_id)

    def match(self, atr: bytes | Atr) -> ProfileMatch:
        parsed = atr if isinstance(atr, Atr) else Atr.parse(atr)
        exact = self._exact.get(parsed.raw)
        if exact is not None:
            return ProfileMatch(exact[0], parsed, MatchKind.EXACT, exact[1].description)
        historical = parsed.historical.hex().upper()
        if parsed.complete and historical:
            for profile in self.profiles:
                if any(p.fullmatch(historical) for p in profile.historical):
                    return ProfileMatch(profile, parsed, MatchKind.PATTERN, None)
        return ProfileMatch(self._fallback, parsed, MatchKind.FALLBACK, None)


def _profile(entry: Any) -> CardProfile:
    if not isinstance(entry, dict):
        raise ProfileError("each profile must be a mapping")
    name = entry.get("id", "?")
    unknown = set(entry) - _PROFILE_KEYS
    missing = _REQUIRED - set(entry)
    if unknown or missing:
        raise ProfileError(f"profile {name}: unknown keys {unknown or ''} missing {missing or ''}")
    try:
        return CardProfile(
            id=str(entry["id"]),
            name=str(entry["name"]),
            family=str(entry["family"]),
            atrs=tuple(
                KnownAtr(parse_hex(str(a["atr"])), str(a["description"]))
                for a in entry.get("atrs") or ()
            ),
            historical=tuple(re.compile(str(p)) for p in entry.get("historical") or ()),
            modules={
                str(os_name): tuple(str(p) for p in paths)
                for os_name, paths in dict(entry["modules"]).items()
            },
            install=tuple(
                InstallHint(
                    package=str(h["package"]),
                    url=str(h["url"]),
                    platforms=tuple(str(p) for p in h["platforms"]),
                    requires=tuple(str(r) for r in h.get("requires") or ()),
                )
                for h in entry["install"]
            ),
            pin=PinPolicy(
                min_length=_optional_int(entry["pin"]["min_length"]),
                max_length=_optional_int(entry["pin"]["max_length"]),
                digits_only=bool(entry["pin"]["digits_only"]),
            ),
            puk_manager=PukManager(entry["puk_manager"]),
            retry_probe=_retry_probe(entry["retry_probe"]),
            unblock_style=UnblockStyle(entry["unblock_style"]),
            fallback=bool(entry.get("fallback", False)),
        )
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise ProfileError(f"profile {name}: {exc!r}") from exc


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _retry_probe(value: Any) -> RetryProbe | None:
    if value is None:
        return None
    aid = value.get("select_aid")
    return RetryProbe(
        pin_reference=int(value["pin_reference"]),
        puk_reference=_optional_int(value.get("puk_reference")),
        select_aid=None if aid is None else parse_hex(str(aid)),
    )
