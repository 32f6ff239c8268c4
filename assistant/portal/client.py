"""`Portal` over HTTP against the training portal's API (reference/openapi.yaml).

One client is one conversation with the portal: it keeps the login id and the session
token itself, so the flow never handles them. Network trouble and the portal's own
failures become `PortalUnavailableError` with a problem kind; an expired login or
session becomes `SessionExpiredError`. The transport is pluggable (tests, proxies), and
the environment's proxy settings are ignored on purpose: secrets go to the portal, not
to whatever HTTP_PROXY names.
"""

from __future__ import annotations

import base64
import datetime as dt
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from assistant.pki.tckn import is_valid_tckn
from assistant.portal import sealing
from assistant.portal.api import (
    Captcha,
    CertificateChange,
    CertificateDetail,
    CertificateStatus,
    CertificateSummary,
    HolderInfo,
    InfoUpdateOutcome,
    InfoUpdateResult,
    LoginChallenge,
    LoginOutcome,
    LoginResult,
    PinDeletion,
    PinInfo,
    PinPdf,
    PinState,
    Portal,
    PortalProblem,
    PortalUnavailableError,
    RevocationReason,
    SessionExpiredError,
    SessionStage,
    SmsOutcome,
    SmsResult,
    UnlockGrant,
    UnlockOutcome,
)
from assistant.secret import Secret, SecretKind

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)
MAX_BODY = 1024 * 1024
T = TypeVar("T")


class PortalClient(Portal):
    """The training portal as a `Portal`; use as a context manager or call close()."""

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url, transport=transport, timeout=timeout, trust_env=False
        )
        self._login_id: str | None = None
        self._session: str | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    @property
    def logged_in(self) -> bool:
        return self._session is not None

    # --- login -----------------------------------------------------------------------

    def begin_login(self, tckn: str) -> LoginChallenge:
        if not is_valid_tckn(tckn):
            raise ValueError("invalid TC Kimlik No")
        data = self._call("POST", "/api/login", {"tckn": tckn}, session=False)
        self._login_id = _get(data, "login_id", str)
        return LoginChallenge(self._login_id, _captcha(_get(data, "captcha", dict)))

    def submit_login(self, captcha_text: str, security_word: Secret) -> LoginResult:
        login_id = self._require_login()
        body = {"captcha": captcha_text, "security_word": security_word.reveal()}
        data = self._call("POST", f"/api/login/{login_id}/credentials", body, session=False)
        captcha = data.get("captcha")
        return LoginResult(
            outcome=_enum(LoginOutcome, data.get("outcome")),
            captcha=_captcha(captcha) if isinstance(captcha, dict) else None,
            tries_left=_opt(data, "tries_left", int),
            retry_after_s=_opt(data, "retry_after_s", int),
            masked_mobile=_opt(data, "masked_mobile", str),
        )

    def submit_sms(self, code: Secret) -> SmsResult:
        login_id = self._require_login()
        body = {"code": code.reveal()}
        data = self._call("POST", f"/api/login/{login_id}/sms", body, session=False)
        outcome = _enum(SmsOutcome, data.get("outcome"))
        if outcome is SmsOutcome.OK:
            self._session = _get(data, "session", str)
        if outcome in (SmsOutcome.OK, SmsOutcome.EXPIRED, SmsOutcome.TOO_MANY):
            self._login_id = None
        return SmsResult(outcome, _opt(data, "tries_left", int))

    def logout(self) -> None:
        if self._session is None:
            return
        try:
            self._call("POST", "/api/logout", None)
        finally:
            self._session = None

    # --- menu ------------------------------------------------------------------------

    def list_certificates(self) -> tuple[CertificateSummary, ...]:
        data = self._call("GET", "/api/certificates")
        return tuple(_summary(item) for item in _get(data, "certificates", list))

    def certificate_detail(self, serial: str) -> CertificateDetail | None:
        response = self._send("GET", f"/api/certificates/{_path(serial)}", None, expect=(404,))
        if response.status_code == 404:
            return None
        data = _json(response)
        summary = _summary(data)
        reason = data.get("revocation_reason")
        return CertificateDetail(
            serial=summary.serial,
            subject_cn=summary.subject_cn,
            subject_serial=_get(data, "subject_serial", str),
            issuer_cn=_get(data, "issuer_cn", str),
            status=summary.status,
            not_before=summary.not_before,
            not_after=summary.not_after,
            key_type=_get(data, "key_type", str),
            policy_oid=_get(data, "policy_oid", str),
            status_changed_at=_time(data.get("status_changed_at")),
            revocation_reason=_enum(RevocationReason, reason) if reason else None,
        )

    def suspend(self, serial: str) -> CertificateChange:
        return self._change(serial, "suspend", None)

    def unsuspend(self, serial: str) -> CertificateChange:
        return self._change(serial, "unsuspend", None)

    def revoke(
        self, serial: str, reason: RevocationReason = RevocationReason.UNSPECIFIED
    ) -> CertificateChange:
        return self._change(serial, "revoke", {"reason": reason.value})

    def holder_info(self) -> HolderInfo:
        data = self._call("GET", "/api/holder")
        return HolderInfo(
            name=_get(data, "name", str),
            masked_tckn=_get(data, "masked_tckn", str),
            mobile=_get(data, "mobile", str),
            email=_get(data, "email", str),
            address=_get(data, "address", str),
        )

    def update_info(
        self, *, mobile: str | None = None, email: str | None = None, address: str | None = None
    ) -> InfoUpdateResult:
        body = {"mobile": mobile, "email": email, "address": address}
        data = self._call("PATCH", "/api/holder", body)
        outcome = _enum(InfoUpdateOutcome, data.get("outcome"))
        info = self.holder_info() if outcome is InfoUpdateOutcome.UPDATED else None
        return InfoUpdateResult(outcome, info)

    def pin_info(self) -> PinInfo:
        data = self._call("GET", "/api/pin")
        state = _enum(PinState, data.get("state"))
        if state is PinState.DELETED:
            return PinInfo(state)
        generated_at = _time(data.get("generated_at"))
        return PinInfo(state, Secret(_get(data, "pin", str), SecretKind.PIN), generated_at)

    def save_pin_pdf(self) -> PinPdf | None:
        response = self._send("GET", "/api/pin/pdf", None, expect=(409,))
        if response.status_code == 409:
            return None
        if response.headers.get("content-type") != "application/pdf":
            raise PortalUnavailableError(PortalProblem.PROTOCOL, "PIN PDF is not a PDF")
        return PinPdf(response.content, "PIN_Bilgisi.pdf")

    def delete_pin(self) -> PinDeletion:
        return _enum(PinDeletion, self._call("DELETE", "/api/pin").get("outcome"))

    def unlock(self, new_pin: Secret | None = None) -> UnlockGrant:
        private, public = sealing.new_agent_key()
        body = {"agent_key": public, "new_pin": new_pin.reveal() if new_pin else None}
        data = self._call("POST", "/api/unlock", body)
        outcome = _enum(UnlockOutcome, data.get("outcome"))
        if outcome is not UnlockOutcome.OK:
            return UnlockGrant(outcome)
        try:
            payload = sealing.unseal(private, sealing.Sealed.from_json(data.get("sealed")))
        except Exception as exc:  # InvalidTag, bad base64/JSON: all mean a broken answer
            raise PortalUnavailableError(PortalProblem.PROTOCOL, "unlock payload") from exc
        try:
            return UnlockGrant(
                outcome,
                new_pin=Secret(payload["new_pin"], SecretKind.PIN),
                credential=Secret(payload["puk"], SecretKind.PUK),
            )
        except KeyError as exc:
            raise PortalUnavailableError(PortalProblem.PROTOCOL, "unlock payload") from exc
        finally:
            payload.clear()

    # --- HTTP ------------------------------------------------------------------------

    def _change(self, serial: str, action: str, body: dict[str, Any] | None) -> CertificateChange:
        data = self._call("POST", f"/api/certificates/{_path(serial)}/{action}", body)
        return _enum(CertificateChange, data.get("outcome"))

    def _require_login(self) -> str:
        if self._login_id is None:
            raise SessionExpiredError(SessionStage.LOGIN)
        return self._login_id

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, session: bool = True
    ) -> dict[str, Any]:
        return _json(self._send(method, path, body, session=session))

    def _send(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        *,
        session: bool = True,
        expect: tuple[int, ...] = (),
    ) -> httpx.Response:
        headers = {"Accept": "application/json"}
        if session:
            if self._session is None:
                raise SessionExpiredError(SessionStage.SESSION)
            headers["Authorization"] = f"Bearer {self._session}"
        try:
            response = self._http.request(method, path, json=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise PortalUnavailableError(PortalProblem.TIMEOUT, type(exc).__name__) from None
        except (httpx.NetworkError, httpx.ProxyError) as exc:
            raise PortalUnavailableError(PortalProblem.OFFLINE, type(exc).__name__) from None
        except httpx.HTTPError as exc:
            raise PortalUnavailableError(PortalProblem.PROTOCOL, type(exc).__name__) from None
        # `from None` above: the request (and its secret-bearing body) stays out of tracebacks.
        status = response.status_code
        if status == 200 or status in expect:
            if len(response.content) > MAX_BODY:
                raise PortalUnavailableError(PortalProblem.PROTOCOL, "answer too large")
            return response
        if status == 401:
            stage = _json(response).get("stage")
            expired = _enum(SessionStage, stage)
            if expired is SessionStage.SESSION:
                self._session = None
            else:
                self._login_id = None
            raise SessionExpiredError(expired)
        if status >= 500:
            raise PortalUnavailableError(PortalProblem.SERVER_ERROR, f"HTTP {status}")
        raise PortalUnavailableError(PortalProblem.PROTOCOL, f"HTTP {status}")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        raise PortalUnavailableError(PortalProblem.PROTOCOL, "answer is not JSON") from None
    if not isinstance(data, dict):
        raise PortalUnavailableError(PortalProblem.PROTOCOL, "answer is not an object")
    return data


def _get(data: dict[str, Any], name: str, kind: type[T]) -> T:
    value = data.get(name)
    if not isinstance(value, kind):
        raise PortalUnavailableError(PortalProblem.PROTOCOL, f"field {name!r} missing")
    return value


def _opt(data: dict[str, Any], name: str, kind: type[T]) -> T | None:
    return None if data.get(name) is None else _get(data, name, kind)


def _enum(kind: type[T], value: object) -> T:
    try:
        return kind(value)  # type: ignore[call-arg]
    except ValueError:
        raise PortalUnavailableError(PortalProblem.PROTOCOL, f"unknown {kind.__name__}") from None


def _time(value: object) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise PortalUnavailableError(PortalProblem.PROTOCOL, "bad timestamp") from None


def _captcha(data: dict[str, Any]) -> Captcha:
    try:
        image = base64.b64decode(_get(data, "data", str), validate=True)
    except ValueError:
        raise PortalUnavailableError(PortalProblem.PROTOCOL, "captcha not base64") from None
    return Captcha(image, _get(data, "media_type", str))


def _summary(data: object) -> CertificateSummary:
    if not isinstance(data, dict):
        raise PortalUnavailableError(PortalProblem.PROTOCOL, "certificate is not an object")
    not_before, not_after = _time(data.get("not_before")), _time(data.get("not_after"))
    if not_before is None or not_after is None:
        raise PortalUnavailableError(PortalProblem.PROTOCOL, "certificate validity missing")
    return CertificateSummary(
        serial=_get(data, "serial", str),
        subject_cn=_get(data, "subject_cn", str),
        status=_enum(CertificateStatus, data.get("status")),
        not_before=not_before,
        not_after=not_after,
    )


def _path(serial: str) -> str:
    """Serials are hex (colons allowed); anything else must not steer the URL path."""
    cleaned = serial.replace(":", "").replace(" ", "")
    if not cleaned or any(c not in "0123456789abcdefABCDEF" for c in cleaned):
        raise ValueError("a certificate serial is hexadecimal")
    return cleaned
