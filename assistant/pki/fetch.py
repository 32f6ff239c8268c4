"""HTTP for revocation data: one POST (OCSP) or GET (CRL), failures as typed problems.

The user's machine may be offline, behind a captive portal or a slow link; each of those
is an everyday answer ("could not check right now"), so nothing here raises for them.
Bodies are size-capped: a CRL or OCSP answer is small, an endless stream is an attack.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from assistant.pki.status import Problem, RevocationResult, RevocationStatus, Source

DEFAULT_TIMEOUT = httpx.Timeout(5.0, connect=3.0)
OCSP_MAX_BYTES = 64 * 1024
CRL_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Fetched:
    body: bytes | None
    problem: Problem | None = None
    detail: str | None = None


def make_client(
    transport: httpx.BaseTransport | None = None, *, timeout: httpx.Timeout = DEFAULT_TIMEOUT
) -> httpx.Client:
    """The client revocation checks use; pass a transport to reroute or simulate the network.

    Proxies from the environment are honoured (trust_env): users behind a corporate proxy
    reach the CA's responders only that way.
    """
    return httpx.Client(transport=transport, timeout=timeout, follow_redirects=True)


def post(client: httpx.Client, url: str, body: bytes, content_type: str, accept: str) -> Fetched:
    headers = {"Content-Type": content_type, "Accept": accept}
    return _send(client, "POST", url, body=body, headers=headers, max_bytes=OCSP_MAX_BYTES)


def get(client: httpx.Client, url: str, max_bytes: int = CRL_MAX_BYTES) -> Fetched:
    return _send(client, "GET", url, body=None, headers={}, max_bytes=max_bytes)


def _send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    body: bytes | None,
    headers: dict[str, str],
    max_bytes: int,
) -> Fetched:
    try:
        with client.stream(method, url, content=body, headers=headers) as response:
            if response.status_code != 200:
                return Fetched(None, Problem.HTTP_ERROR, f"HTTP {response.status_code}")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    return Fetched(None, Problem.HTTP_ERROR, f"body over {max_bytes} bytes")
                chunks.append(chunk)
            return Fetched(b"".join(chunks))
    except httpx.TimeoutException as exc:
        return Fetched(None, Problem.TIMEOUT, type(exc).__name__)
    except (httpx.NetworkError, httpx.ProxyError) as exc:
        return Fetched(None, Problem.OFFLINE, type(exc).__name__)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        # Read/protocol errors, unsupported scheme: the server or URL is at fault.
        return Fetched(None, Problem.HTTP_ERROR, type(exc).__name__)


def ask_in_turn(
    source: Source,
    urls: Sequence[str],
    fetch_one: Callable[[str], Fetched],
    evaluate: Callable[[bytes, str], RevocationResult],
) -> tuple[RevocationResult, bytes | None]:
    """Ask each URL in turn: the first trustworthy answer and its raw bytes (for the
    cache), else the most telling failure."""
    if not urls:
        return RevocationResult(RevocationStatus.UNAVAILABLE, source, problem=Problem.NO_URL), None
    fallback: RevocationResult | None = None
    for url in urls:
        fetched = fetch_one(url)
        if fetched.body is None:
            result = RevocationResult(
                RevocationStatus.UNAVAILABLE, source, url, fetched.problem, fetched.detail
            )
        else:
            result = evaluate(fetched.body, url)
            if result.is_definitive:
                return result, fetched.body
        # An answer we could not trust says more than a responder we could not reach.
        if fallback is None or fallback.status is RevocationStatus.UNAVAILABLE:
            fallback = result
    assert fallback is not None
    return fallback, None
