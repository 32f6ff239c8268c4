"""SoftHSM2 tokens in a private token directory, holding an NES-shaped key and certificate.

SoftHSM is a real PKCS#11 module and fast, so token-level tests (status, certificate
listing, signing) use it; it never locks a PIN, so PIN-safety tests need the virtual
PIV card instead. Tokens are created with softhsm2-util and filled with pkcs11-tool
(independent tools), in a directory named by SOFTHSM2_CONF. SoftHSM reads that
directory only in C_Initialize: a process that already loaded the module must
re-initialise it to see new tokens (`reinitialize_loaded_module`).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from assistant.demo.pki import Holder

SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")


@dataclass(frozen=True)
class SoftHsmToken:
    module: Path
    label: str
    pin: str
    so_pin: str
    holder: Holder
    conf: Path
    key_id: str = "01"

    @property
    def certificate(self) -> x509.Certificate:
        return self.holder.certificate

    def tool(self, *args: str) -> subprocess.CompletedProcess[str]:
        """pkcs11-tool on this token, with this token's SOFTHSM2_CONF."""
        return subprocess.run(
            ["pkcs11-tool", "--module", str(self.module), "--token-label", self.label, *args],
            capture_output=True,
            text=True,
            check=False,
            env=_env(self.conf),
        )


def _env(conf: Path) -> dict[str, str]:
    return {**os.environ, "SOFTHSM2_CONF": str(conf)}


class SoftHsm:
    """One SoftHSM2 token directory and its config file under `workdir`."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.tokens_dir = workdir / "tokens"
        self.conf = workdir / "softhsm2.conf"
        self.tokens_dir.mkdir(parents=True, exist_ok=True)
        self.conf.write_text(
            f"directories.tokendir = {self.tokens_dir}\n"
            "objectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
            encoding="utf-8",
        )

    def env(self) -> dict[str, str]:
        return {"SOFTHSM2_CONF": str(self.conf)}

    def create_token(self, label: str, pin: str, so_pin: str, holder: Holder) -> SoftHsmToken:
        """Initialise a token and import `holder`'s private key and certificate (ID 01)."""
        subprocess.run(
            ["softhsm2-util", "--init-token", "--free", "--label", label,
             "--pin", pin, "--so-pin", so_pin],
            check=True, capture_output=True, env=_env(self.conf),
        )  # fmt: skip
        token = SoftHsmToken(SOFTHSM_MODULE, label, pin, so_pin, holder, self.conf)
        safe = "".join(c if c.isalnum() else "_" for c in label)
        key_file = self.workdir / f"{safe}.key.der"
        key_file.write_bytes(
            holder.private_key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        cert_file = self.workdir / f"{safe}.crt.der"
        cert_file.write_bytes(holder.certificate_der)
        for kind, path in (("privkey", key_file), ("cert", cert_file)):
            done = token.tool(
                "--login", "--pin", pin, "--write-object", str(path), "--type", kind,
                "--id", token.key_id, "--label", "NES imza",
            )  # fmt: skip
            if done.returncode != 0:
                raise RuntimeError(f"pkcs11-tool --write-object {kind}: {done.stderr}")
        key_file.unlink()
        return token


def reinitialize_loaded_module() -> None:
    """Make an in-process python-pkcs11 SoftHSM see tokens created since it was loaded."""
    import pkcs11

    pkcs11.lib(str(SOFTHSM_MODULE)).reinitialize()
