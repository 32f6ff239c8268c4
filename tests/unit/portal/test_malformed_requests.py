"""Malformed requests to every documented route get a 4xx, never a 5xx.

The routes come from the portal's own OpenAPI document. Each example sends one request
to a real uvicorn server: JSON of the wrong shape and types, texts with lone surrogates
and NULs, 5,000-digit numbers, bodies nested 5,000 deep or larger than the limit, bytes
that are not UTF-8; with no session, a made-up one or a real logged-in session, and with
a real pending login id or a made-up one. Before, 20 of 1,500 such requests got a 500.
CI runs CI_EXAMPLES; NES_ASISTAN_EXAMPLES sets more.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from assistant.portal.reference.app import MAX_BODY, OPENAPI_PATH
from assistant.portal.reference.outbox import latest_code
from assistant.secret import Secret, SecretKind
from tests.examples import examples
from tests.unit.portal.conftest import (
    ACTIVE,
    TCKN,
    WORD_CANARY,
    FakeClock,
    RunningPortal,
    Servers,
)

CI_EXAMPLES = 200
OPERATIONS = sorted(
    (path, method)
    for path, item in yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))["paths"].items()
    for method in item
)
FIELDS = ["tckn", "captcha", "security_word", "code", "reason", "mobile", "email", "address"]
FIELDS += ["agent_key", "new_pin"]

texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["\ud800", "a\x00b", "٣٤٥", "²", "İı", "9" * 5000, TCKN, ACTIVE, ""]),
)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)
bodies = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), values).map(
        lambda d: json.dumps(d).encode("utf-8", "surrogatepass")
    ),
    values.map(lambda v: json.dumps(v).encode("utf-8", "surrogatepass")),
    st.binary(max_size=64),
    st.integers(min_value=9, max_value=5000).map(lambda n: b"[" * n + b"]" * n),
    st.just(b'{"tckn": ' + b"9" * 5000 + b"}"),
    st.just(b'{"a": "' + b"x" * (MAX_BODY + 10) + b'"}'),
    st.just(b""),
)


def logged_in(portal: RunningPortal) -> tuple[str, str]:
    """A pending login (at the SMS step) and a logged-in session, made the normal way."""
    service = portal.service
    login_id, _ = service.begin_login(TCKN)
    word = Secret(WORD_CANARY, SecretKind.SECURITY_WORD)
    service.submit_login(login_id, service.captcha_answer(login_id), word)
    code = latest_code(portal.outbox_path)
    assert code is not None
    answer = service.submit_sms(login_id, Secret(code, SecretKind.SMS_CODE))
    assert answer.session is not None
    pending, _ = service.begin_login(TCKN)
    return pending, answer.session


@dataclass
class Target:
    portal: RunningPortal
    pending: str
    session: str
    http: httpx.Client


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    servers = Servers(tmp_path_factory.mktemp("portal"), FakeClock())
    portal = servers.start()
    with httpx.Client(timeout=30, trust_env=False) as http:
        yield Target(portal, *logged_in(portal), http)
    servers.stop()


@settings(
    max_examples=examples(CI_EXAMPLES),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    operation=st.sampled_from(OPERATIONS),
    body=bodies,
    path_value=st.one_of(st.sampled_from(["LOGIN", ACTIVE, "x"]), st.text(max_size=12)),
    auth=st.sampled_from(["none", "made-up", "real", "junk"]),
)
def test_no_malformed_request_gets_a_server_error(
    target: Target, operation: tuple[str, str], body: bytes, path_value: str, auth: str
) -> None:
    path, method = operation
    value = target.pending if path_value == "LOGIN" else quote(path_value, safe="") or "x"
    url = target.portal.base_url + re.sub(r"\{[^}]+\}", value, path)
    headers = {
        "none": {},
        "made-up": {"Authorization": "Bearer " + "A" * 43},
        "real": {"Authorization": f"Bearer {target.session}"},
        "junk": {"Authorization": "Basic x"},
    }[auth]
    response = target.http.request(method.upper(), url, content=body, headers=headers)
    event(f"{method} {response.status_code}")
    assert response.status_code < 500, (method, url, body[:100], response.text[:200])
