"""The few PKCS#11 calls made through ctypes instead of python-pkcs11.

python-pkcs11 0.10 loads and initialises the module, lists slots and reads objects;
these calls go around it because it either does not expose them or takes the PIN as a
Python `str`:
- C_GetTokenInfo: python-pkcs11's Token has no ulMinPinLen/ulMaxPinLen.
- C_Login / C_Logout / C_SetPIN / C_InitPIN: the PIN goes from `Secret` bytes into a
  ctypes buffer that is zeroed after the call (no immutable `str` copy), and a NULL PIN
  is possible for readers with a PIN pad (CKF_PROTECTED_AUTHENTICATION_PATH).
- C_SignInit / C_Login(CKU_CONTEXT_SPECIFIC) / C_Sign: keys with CKA_ALWAYS_AUTHENTICATE
  need the PIN between SignInit and Sign, again as bytes or NULL on a PIN pad.

`ctypes.CDLL` on the path python-pkcs11 already opened returns the same loaded library,
so these calls see the module state python-pkcs11 initialised (C_Initialize(NULL)).
"""

from __future__ import annotations

import ctypes
import sys
from dataclasses import dataclass

from assistant.secret import Secret

CK_ULONG = ctypes.c_ulong
CK_RV = CK_ULONG
_PACK = 1 if sys.platform == "win32" else 0  # PKCS#11 headers use #pragma pack(1) on Windows

CKU_SO = 0
CKU_USER = 1
CKU_CONTEXT_SPECIFIC = 2
CKF_TOKEN_PRESENT = 0x1
CKR_BUFFER_TOO_SMALL = 0x150

# Positions in CK_FUNCTION_LIST (PKCS#11 v2.40 pkcs11f.h order).
_FUNCTION_NAMES = (
    "C_Initialize",
    "C_Finalize",
    "C_GetInfo",
    "C_GetFunctionList",
    "C_GetSlotList",
    "C_GetSlotInfo",
    "C_GetTokenInfo",
    "C_GetMechanismList",
    "C_GetMechanismInfo",
    "C_InitToken",
    "C_InitPIN",
    "C_SetPIN",
    "C_OpenSession",
    "C_CloseSession",
    "C_CloseAllSessions",
    "C_GetSessionInfo",
    "C_GetOperationState",
    "C_SetOperationState",
    "C_Login",
    "C_Logout",
    "C_CreateObject",
    "C_CopyObject",
    "C_DestroyObject",
    "C_GetObjectSize",
    "C_GetAttributeValue",
    "C_SetAttributeValue",
    "C_FindObjectsInit",
    "C_FindObjects",
    "C_FindObjectsFinal",
    "C_EncryptInit",
    "C_Encrypt",
    "C_EncryptUpdate",
    "C_EncryptFinal",
    "C_DecryptInit",
    "C_Decrypt",
    "C_DecryptUpdate",
    "C_DecryptFinal",
    "C_DigestInit",
    "C_Digest",
    "C_DigestUpdate",
    "C_DigestKey",
    "C_DigestFinal",
    "C_SignInit",
    "C_Sign",
)


class _Version(ctypes.Structure):
    _pack_ = _PACK
    _fields_ = (("major", ctypes.c_ubyte), ("minor", ctypes.c_ubyte))


class _TokenInfo(ctypes.Structure):
    _pack_ = _PACK
    _fields_ = (
        ("label", ctypes.c_char * 32),
        ("manufacturerID", ctypes.c_char * 32),
        ("model", ctypes.c_char * 16),
        ("serialNumber", ctypes.c_char * 16),
        ("flags", CK_ULONG),
        ("ulMaxSessionCount", CK_ULONG),
        ("ulSessionCount", CK_ULONG),
        ("ulMaxRwSessionCount", CK_ULONG),
        ("ulRwSessionCount", CK_ULONG),
        ("ulMaxPinLen", CK_ULONG),
        ("ulMinPinLen", CK_ULONG),
        ("ulTotalPublicMemory", CK_ULONG),
        ("ulFreePublicMemory", CK_ULONG),
        ("ulTotalPrivateMemory", CK_ULONG),
        ("ulFreePrivateMemory", CK_ULONG),
        ("hardwareVersion", _Version),
        ("firmwareVersion", _Version),
        ("utcTime", ctypes.c_char * 16),
    )


class _SlotInfo(ctypes.Structure):
    _pack_ = _PACK
    _fields_ = (
        ("slotDescription", ctypes.c_char * 64),
        ("manufacturerID", ctypes.c_char * 32),
        ("flags", CK_ULONG),
        ("hardwareVersion", _Version),
        ("firmwareVersion", _Version),
    )


class _Mechanism(ctypes.Structure):
    _pack_ = _PACK
    _fields_ = (
        ("mechanism", CK_ULONG),
        ("pParameter", ctypes.c_void_p),
        ("ulParameterLen", CK_ULONG),
    )


class _FunctionList(ctypes.Structure):
    _pack_ = _PACK
    _fields_ = (("version", _Version), *((name, ctypes.c_void_p) for name in _FUNCTION_NAMES))


_P = ctypes.POINTER
_ULONG_P = _P(CK_ULONG)
_BYTES = ctypes.c_char_p
_PROTOTYPES = {
    "C_GetSlotInfo": ctypes.CFUNCTYPE(CK_RV, CK_ULONG, _P(_SlotInfo)),
    "C_GetTokenInfo": ctypes.CFUNCTYPE(CK_RV, CK_ULONG, _P(_TokenInfo)),
    "C_InitPIN": ctypes.CFUNCTYPE(CK_RV, CK_ULONG, _BYTES, CK_ULONG),
    "C_SetPIN": ctypes.CFUNCTYPE(CK_RV, CK_ULONG, _BYTES, CK_ULONG, _BYTES, CK_ULONG),
    "C_Login": ctypes.CFUNCTYPE(CK_RV, CK_ULONG, CK_ULONG, _BYTES, CK_ULONG),
    "C_Logout": ctypes.CFUNCTYPE(CK_RV, CK_ULONG),
    "C_SignInit": ctypes.CFUNCTYPE(CK_RV, CK_ULONG, _P(_Mechanism), CK_ULONG),
    "C_Sign": ctypes.CFUNCTYPE(CK_RV, CK_ULONG, _BYTES, CK_ULONG, _BYTES, _ULONG_P),
}


class Pkcs11CallError(Exception):
    """A raw call returned something other than CKR_OK."""

    def __init__(self, function: str, rv: int) -> None:
        super().__init__(f"{function} returned {rv:#x}")
        self.function = function
        self.rv = rv


@dataclass(frozen=True)
class TokenInfo:
    label: str
    manufacturer: str
    model: str
    serial: str
    flags: int
    min_pin_length: int
    max_pin_length: int


class _SecretBuffer:
    """A ctypes copy of a secret (or NULL for a PIN pad), zeroed when the call is done."""

    def __init__(self, secret: Secret | None) -> None:
        if secret is None:
            self.buffer: ctypes.Array[ctypes.c_char] | None = None
            self.length = 0
        else:
            value = secret.reveal_bytes()
            self.buffer = ctypes.create_string_buffer(value, len(value))
            self.length = len(value)

    @property
    def pointer(self) -> ctypes.Array[ctypes.c_char] | None:
        return self.buffer

    def __enter__(self) -> _SecretBuffer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.buffer is not None:
            ctypes.memset(self.buffer, 0, self.length)


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").rstrip(" \0")


class RawModule:
    """Direct entry points into an already loaded and initialised PKCS#11 module."""

    def __init__(self, path: str) -> None:
        self._dll = ctypes.CDLL(path)
        get_list = self._dll.C_GetFunctionList
        get_list.argtypes = (_P(_P(_FunctionList)),)
        get_list.restype = CK_RV
        table = _P(_FunctionList)()
        rv = get_list(ctypes.byref(table))
        if rv != 0:
            raise Pkcs11CallError("C_GetFunctionList", rv)
        functions = table.contents
        self._calls = {
            name: prototype(getattr(functions, name)) for name, prototype in _PROTOTYPES.items()
        }

    def _call(self, name: str, *args: object) -> None:
        rv = int(self._calls[name](*args))
        if rv != 0:
            raise Pkcs11CallError(name, rv)

    def token_present(self, slot_id: int) -> bool:
        info = _SlotInfo()
        self._call("C_GetSlotInfo", slot_id, ctypes.byref(info))
        return bool(info.flags & CKF_TOKEN_PRESENT)

    def token_info(self, slot_id: int) -> TokenInfo:
        info = _TokenInfo()
        self._call("C_GetTokenInfo", slot_id, ctypes.byref(info))
        return TokenInfo(
            label=_text(info.label),
            manufacturer=_text(info.manufacturerID),
            model=_text(info.model),
            serial=_text(info.serialNumber),
            flags=int(info.flags),
            min_pin_length=int(info.ulMinPinLen),
            max_pin_length=int(info.ulMaxPinLen),
        )

    def login(self, session: int, user_type: int, pin: Secret | None) -> None:
        """pin=None logs in through the reader's PIN pad."""
        with _SecretBuffer(pin) as buf:
            self._call("C_Login", session, user_type, buf.pointer, buf.length)

    def logout(self, session: int) -> None:
        self._call("C_Logout", session)

    def set_pin(self, session: int, old: Secret | None, new: Secret | None) -> None:
        with _SecretBuffer(old) as old_buf, _SecretBuffer(new) as new_buf:
            self._call(
                "C_SetPIN",
                session,
                old_buf.pointer,
                old_buf.length,
                new_buf.pointer,
                new_buf.length,
            )

    def init_pin(self, session: int, pin: Secret | None) -> None:
        with _SecretBuffer(pin) as buf:
            self._call("C_InitPIN", session, buf.pointer, buf.length)

    def sign(
        self,
        session: int,
        mechanism: int,
        key: int,
        data: bytes,
        *,
        context_login: bool = False,
        pin: Secret | None = None,
    ) -> bytes:
        """One-shot C_Sign; `context_login` re-presents the PIN for ALWAYS_AUTHENTICATE keys."""
        mech = _Mechanism(mechanism, None, 0)
        self._call("C_SignInit", session, ctypes.byref(mech), key)
        if context_login:
            self.login(session, CKU_CONTEXT_SPECIFIC, pin)
        size = CK_ULONG(1024)
        output = ctypes.create_string_buffer(size.value)
        rv = int(self._calls["C_Sign"](session, data, len(data), output, ctypes.byref(size)))
        if rv == CKR_BUFFER_TOO_SMALL:
            output = ctypes.create_string_buffer(size.value)
            rv = int(self._calls["C_Sign"](session, data, len(data), output, ctypes.byref(size)))
        if rv != 0:
            raise Pkcs11CallError("C_Sign", rv)
        return output.raw[: size.value]
