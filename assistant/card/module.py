"""One loaded PKCS#11 module per process, and the lock every call into it takes.

python-pkcs11 keeps a module loaded once per process (pkcs11.lib caches by path), and
calls C_Initialize with NULL arguments: it never passes CKF_OS_LOCKING_OK, so the akisp11
builds that reject that flag with CKR_ARGUMENTS_BAD initialise fine here: the quirk
cannot occur, so there is nothing to retry (tests/integration/card/test_initialize_quirk.py
proves it against a module with that quirk). The price of NULL arguments is that the
module may assume a single-threaded caller; `Pkcs11Module.lock` provides that:
every call into the module, through python-pkcs11 or our ctypes entry points, holds it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from assistant.card.errors import classify, error_name
from assistant.card.outcomes import Outcome, OutcomeKind
from assistant.card.rawp11 import Pkcs11CallError, RawModule, TokenInfo

if TYPE_CHECKING:
    import pkcs11
    from pkcs11._pkcs11 import lib as pkcs11_lib


@dataclass(frozen=True)
class TokenRef:
    """A slot with a card in it, as listed when the module was asked."""

    slot_id: int
    slot_description: str
    info: TokenInfo | None
    """None when the module could not read the token (`error` says why)."""
    error: str | None = None

    def in_reader(self, reader: str) -> bool:
        """OpenSC (and most card modules) name the slot after the PC/SC reader."""
        description = self.slot_description.strip()
        return description == reader or description.startswith(reader + " ")


class Pkcs11Module:
    _loaded: ClassVar[dict[str, Pkcs11Module]] = {}
    _loading: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, path: str, lib: pkcs11_lib, raw: RawModule) -> None:
        self.path = path
        self.lib = lib
        self.raw = raw
        self.lock = threading.RLock()
        """Held around every call into the module (see the module docstring)."""

    @classmethod
    def load(cls, path: str | Path) -> Outcome[Pkcs11Module]:
        """The process-wide instance for this module file, loading it on first use.

        Instances are shared per real file (symlinks resolved): loading one library
        twice would call C_Initialize twice. python-pkcs11 caches by the path string
        it is given, so it gets the caller's spelling — other in-process users of
        python-pkcs11 (test rigs, say) that use the same spelling share its instance.
        """
        key = str(Path(path).resolve())
        with cls._loading:
            module = cls._loaded.get(key)
            if module is not None:
                return Outcome(OutcomeKind.OK, module)
            import pkcs11

            try:
                lib = pkcs11.lib(str(path))
                raw = RawModule(key)
            except (pkcs11.PKCS11Error, Pkcs11CallError, OSError) as exc:
                return Outcome(OutcomeKind.MODULE_FAILED, error=f"{error_name(exc)}: {exc}")
            module = cls(key, lib, raw)
            cls._loaded[key] = module
            return Outcome(OutcomeKind.OK, module)

    def reinitialize(self) -> Outcome[None]:
        """C_Finalize + C_Initialize: some modules enumerate readers/tokens only at start.

        Call it after a reader was plugged in that the module does not list. Every open
        session of this module ends, so it waits for the running operation (the lock).
        """
        import pkcs11

        with self.lock:
            try:
                self.lib.reinitialize()
            except pkcs11.PKCS11Error as exc:
                return Outcome(OutcomeKind.MODULE_FAILED, error=error_name(exc))
        return Outcome(OutcomeKind.OK)

    @property
    def description(self) -> str:
        return f"{self.lib.manufacturer_id} {self.lib.library_description}".strip()

    def tokens(self) -> Outcome[tuple[TokenRef, ...]]:
        """Slots with a card now; a card the module cannot read comes with its error."""
        import pkcs11

        with self.lock:
            try:
                slots = self.lib.get_slots(token_present=True)
            except pkcs11.PKCS11Error as exc:
                return Outcome(classify(exc), error=error_name(exc))
            refs = []
            for slot in slots:
                try:
                    info = self.raw.token_info(slot.slot_id)
                except Pkcs11CallError as exc:
                    refs.append(
                        TokenRef(slot.slot_id, slot.slot_description, None, error_name(exc))
                    )
                    continue
                refs.append(TokenRef(slot.slot_id, slot.slot_description, info))
        return Outcome(OutcomeKind.OK, tuple(refs))

    def serves_reader(self, reader: str) -> bool:
        """Whether any slot (empty or not) stands for this PC/SC reader."""
        with self.lock:
            slots = self.lib.get_slots(token_present=False)
        return any(TokenRef(s.slot_id, s.slot_description, None).in_reader(reader) for s in slots)

    def token(self, slot_id: int) -> pkcs11.Token:
        """python-pkcs11's Token for a slot (for opening sessions)."""
        with self.lock:
            for slot in self.lib.get_slots(token_present=True):
                if slot.slot_id == slot_id:
                    token: pkcs11.Token = slot.get_token()
                    return token
        import pkcs11

        raise pkcs11.TokenNotPresent()
