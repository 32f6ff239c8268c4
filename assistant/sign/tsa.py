"""The RFC 3161 time-stamp service, when one is configured (B-T and B-LTA need one).

Settings (environment):
- `NES_ASISTAN_TSA_URL`: the service's HTTP(S) address; unset means no time-stamps.
- `NES_ASISTAN_TSA_USER` and `NES_ASISTAN_TSA_PASSWORD`: HTTP Basic credentials, for
  services that need an account. Kamu SM's "Zaman Damgası" is a paid account service
  whose own client authenticates in a way we could not confirm from public sources
  (NOTES.md): a service that wants more than Basic credentials is not supported.

The password is read when a time-stamp is asked for and goes only to that service, as
the Authorization header of the request.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyhanko.sign.timestamps import TimeStamper

TSA_URL_ENV = "NES_ASISTAN_TSA_URL"
TSA_USER_ENV = "NES_ASISTAN_TSA_USER"
TSA_PASSWORD_ENV = "NES_ASISTAN_TSA_PASSWORD"
TSA_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class TsaSettings:
    url: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    def timestamper(self) -> TimeStamper:
        import base64

        from pyhanko.sign.timestamps import HTTPTimeStamper

        headers = {}
        if self.user:
            token = base64.b64encode(f"{self.user}:{self.password or ''}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        return HTTPTimeStamper(self.url, timeout=TSA_TIMEOUT_SECONDS, headers=headers)


def tsa_from_environment(environ: Mapping[str, str] | None = None) -> TsaSettings | None:
    env = os.environ if environ is None else environ
    url = env.get(TSA_URL_ENV, "").strip()
    if not url:
        return None
    return TsaSettings(url, env.get(TSA_USER_ENV) or None, env.get(TSA_PASSWORD_ENV) or None)
