"""Fixtures for the card-layer integration tests, on top of the shared rig (tests/conftest.py).

The rig's fixtures are looked up by name so these tests skip, rather than error, on a
checkout where the rig is not available.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.card.profiles import CardProfile, ProfileSet

# A holder-managed PUK (the SO PIN) with the SO-login unblock route: what SoftHSM does.
SOFTHSM_PROFILE = """
profiles:
  - id: softhsm
    name: SoftHSM2 (tests)
    family: softhsm
    fallback: true
    modules: {linux: [/usr/lib/softhsm/libsofthsm2.so]}
    install: []
    pin: {min_length: 6, max_length: 8, digits_only: true}
    puk_manager: user
    retry_probe: null
    unblock_style: so_login_init_pin
"""


@pytest.fixture
def softhsm_profile(tmp_path: Path) -> CardProfile:
    path = tmp_path / "softhsm-profile.yaml"
    path.write_text(SOFTHSM_PROFILE, encoding="utf-8")
    return ProfileSet.load(path).get("softhsm")


def _shared(request: pytest.FixtureRequest, name: str) -> Any:
    """A fixture from the shared rig (tests/conftest.py); skip while it does not exist."""
    try:
        return request.getfixturevalue(name)
    except pytest.FixtureLookupError:
        pytest.skip(f"virtual card rig fixture {name!r} is not available yet")


@pytest.fixture
def hsm_token(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """The rig's `softhsm_token` factory: SoftHSM2 token with an NES key + certificate."""
    factory: Callable[..., Any] = _shared(request, "softhsm_token")
    return factory


@pytest.fixture
def rig_card(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """The rig's `virtual_card` factory (pcscd + vpcd + PIV emulator)."""
    factory: Callable[..., Any] = _shared(request, "virtual_card")
    return factory


@pytest.fixture
def opensc(request: pytest.FixtureRequest) -> Path:
    """opensc-pkcs11.so, with OPENSC_CONF set for PIN unblock (set_pin_in_unlogged_session)."""
    return Path(_shared(request, "opensc_module"))


@pytest.fixture
def pcsc(request: pytest.FixtureRequest) -> Any:
    return _shared(request, "pcsc_service")
