"""The training portal over HTTP: documented routes, banner, training key, no PUK leaks."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from starlette.routing import Route

from assistant.portal import sealing
from assistant.portal.reference import BANNER, BANNER_ASCII
from assistant.portal.reference.app import BANNER_HEADER, OPENAPI_PATH, create_app
from assistant.portal.reference.training import captcha_answer, latest_code
from tests.unit.portal.conftest import (
    ACTIVE,
    MOBILE,
    PUK_CANARY,
    TCKN,
    TRAINING_KEY,
    WORD_CANARY,
    RunningPortal,
    write_seed,
)


def app_routes(tmp_path: Path) -> set[tuple[str, str]]:
    app = create_app(tmp_path / "s.json", seed_path=write_seed(tmp_path / "seed.yaml"))
    found = set()
    for route in app.routes:
        assert isinstance(route, Route)
        for method in route.methods or ():
            if method != "HEAD":
                found.add((route.path, method.lower()))
    return found


def test_every_route_is_documented_and_every_documented_route_exists(
    tmp_path: Path, serve: Callable[..., RunningPortal]
) -> None:
    portal = serve()
    document = httpx.get(f"{portal.base_url}/openapi.json").json()
    assert document["openapi"].startswith("3.")
    documented = {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    routes = app_routes(tmp_path)
    assert len(routes) >= 20
    assert routes == documented
    assert "gerçek Kamu SM değildir" in document["info"]["title"]
    assert OPENAPI_PATH.name == "openapi.yaml"


def login(portal: RunningPortal, http: httpx.Client) -> str:
    started = http.post("/api/login", json={"tckn": TCKN}).json()
    login_id = started["login_id"]
    answer = captcha_answer(portal.base_url, login_id, TRAINING_KEY)
    sent = http.post(
        f"/api/login/{login_id}/credentials",
        json={"captcha": answer, "security_word": WORD_CANARY},
    ).json()
    assert sent["outcome"] == "sms_sent" and sent["masked_mobile"] == "05** *** ** 67"
    code = latest_code(portal.outbox_path, MOBILE)
    opened = http.post(f"/api/login/{login_id}/sms", json={"code": code}).json()
    assert opened["outcome"] == "ok"
    return str(opened["session"])


def test_a_crawl_of_every_route_never_shows_the_puk_and_always_shows_the_banner(
    tmp_path: Path, serve: Callable[..., RunningPortal]
) -> None:
    portal = serve()
    responses: list[httpx.Response] = []
    with httpx.Client(base_url=portal.base_url) as http:
        session = login(portal, http)
        auth = {"Authorization": f"Bearer {session}"}
        _, agent_key = sealing.new_agent_key()
        bodies = {
            "/api/login": {"tckn": TCKN},
            "/api/unlock": {"agent_key": agent_key},
            "/api/certificates/{serial}/revoke": {"reason": "key_compromise"},
            "/api/holder": {"email": "yeni@example.com.tr"},
        }
        login_id = http.post("/api/login", json={"tckn": TCKN}).json()["login_id"]
        # Deleting the PIN and logging out come last, or later routes would have less to show.
        last = [("/api/pin", "delete"), ("/api/logout", "post")]
        crawl = sorted(app_routes(tmp_path) - set(last)) + last
        for path, method in crawl:
            url = path.format(serial=ACTIVE, login_id=login_id)
            headers = {**auth, "X-Training-Key": TRAINING_KEY}
            responses.append(http.request(method, url, json=bodies.get(path), headers=headers))
        responses.append(http.get("/no/such/page"))
        responses.append(http.post("/api/login", content=b"{not json"))
        responses.append(http.get("/api/pin", headers=auth))  # after logout: 401
    crawled = responses[: len(crawl)]
    assert all(r.status_code != 401 for r in crawled), "the crawl lost its session"
    assert sum(r.status_code == 200 for r in crawled) >= len(crawl) - 2  # not credentials/sms
    statuses = {r.request.url.path: r.status_code for r in responses}
    assert statuses["/api/unlock"] == 200 and statuses["/api/pin/pdf"] == 200
    assert statuses["/no/such/page"] == 404
    for response in responses:
        assert response.headers[BANNER_HEADER] == BANNER_ASCII
        assert response.headers["Cache-Control"] == "no-store"
        raw = response.content + str(response.headers.raw).encode()
        for form in (PUK_CANARY, base64.b64encode(PUK_CANARY.encode()).decode()):
            assert form.encode() not in raw, response.request.url
    pages = [r for r in responses if r.headers.get("content-type", "").startswith("text/html")]
    assert pages and all(BANNER in r.text for r in pages)


def test_training_captcha_answer_needs_the_key(serve: Callable[..., RunningPortal]) -> None:
    portal = serve()
    login_id = httpx.post(f"{portal.base_url}/api/login", json={"tckn": TCKN}).json()["login_id"]
    url = f"{portal.base_url}/api/training/captcha/{login_id}"
    assert httpx.get(url).status_code == 404
    assert httpx.get(url, headers={"X-Training-Key": "guess"}).status_code == 404
    answer = captcha_answer(portal.base_url, login_id, TRAINING_KEY)
    assert len(answer) == 5
    closed = serve(training_key=None)
    login_id = httpx.post(f"{closed.base_url}/api/login", json={"tckn": TCKN}).json()["login_id"]
    with pytest.raises(httpx.HTTPStatusError):
        captcha_answer(closed.base_url, login_id, TRAINING_KEY)


def test_bad_requests_are_typed_json(serve: Callable[..., RunningPortal]) -> None:
    portal = serve()
    bad_tckn = httpx.post(f"{portal.base_url}/api/login", json={"tckn": "12345678901"})
    assert bad_tckn.status_code == 400 and bad_tckn.json()["field"] == "tckn"
    missing = httpx.post(f"{portal.base_url}/api/login/nope/credentials", json={})
    assert missing.status_code == 400
    expired = httpx.post(
        f"{portal.base_url}/api/login/nope/credentials",
        json={"captcha": "x", "security_word": "y"},
    )
    assert expired.status_code == 401 and expired.json() == {"error": "expired", "stage": "login"}
    no_session = httpx.get(f"{portal.base_url}/api/certificates")
    assert no_session.json() == {"error": "expired", "stage": "session"}


def test_outbox_page_is_the_trainees_phone(serve: Callable[..., RunningPortal]) -> None:
    portal = serve()
    with httpx.Client(base_url=portal.base_url) as http:
        login(portal, http)
        code = latest_code(portal.outbox_path)
        assert code and code in http.get("/outbox").text
        messages = http.get("/outbox.json").json()["messages"]
    assert messages[-1]["to"] == MOBILE and messages[-1]["code"] == code
    assert WORD_CANARY not in portal.outbox_path.read_text(encoding="utf-8")
