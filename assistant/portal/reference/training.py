"""What a test or a trainer's console uses to "see" the captcha and "read the phone".

The agent under training never calls these: it gets the captcha as an image and the
SMS Onay Kodu from the person, exactly as with the real portal.
"""

from __future__ import annotations

import httpx

from assistant.portal.reference.app import TRAINING_KEY_HEADER
from assistant.portal.reference.outbox import latest_code

__all__ = ["captcha_answer", "latest_code"]


def captcha_answer(base_url: str, login_id: str, training_key: str) -> str:
    """The text of the login's current captcha; needs the portal's training key."""
    response = httpx.get(
        f"{base_url}/api/training/captcha/{login_id}",
        headers={TRAINING_KEY_HEADER: training_key},
        trust_env=False,
        timeout=5.0,
    )
    response.raise_for_status()
    return str(response.json()["captcha"])
