"""On-disk cache of signed revocation answers, until their nextUpdate.

What is stored is the CA's signed bytes (OCSP response or CRL), not our verdict: on every
read the answer is verified again (signature, issuer, freshness), so a stale or edited
cache file can never turn into a "good". Answers without nextUpdate are not cached.
Writes are atomic (temp file + rename) so a crash never leaves half a file.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import tempfile
from pathlib import Path

from cryptography import x509

from assistant import paths
from assistant.pki.crl import evaluate_crl
from assistant.pki.ocsp import evaluate_response
from assistant.pki.status import RevocationResult, Source

_VERSION = 1


class RevocationCache:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory if directory is not None else paths.cache_dir() / "revocation"

    def _path(self, cert: x509.Certificate, issuer: x509.Certificate) -> Path:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        h = hashlib.sha256()
        h.update(issuer.subject.public_bytes())
        h.update(issuer.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))
        h.update(cert.serial_number.to_bytes(20, "big", signed=False))
        return self.directory / f"{h.hexdigest()}.json"

    def get(
        self, cert: x509.Certificate, issuer: x509.Certificate, now: dt.datetime
    ) -> RevocationResult | None:
        """The cached answer if it still verifies and is fresh at `now`; else None."""
        path = self._path(cert, issuer)
        try:
            entry = json.loads(path.read_text())
            if entry.get("version") != _VERSION:
                raise ValueError("old cache format")
            source = Source(entry["source"])
            raw = base64.b64decode(entry["der"], validate=True)
            url = entry.get("url")
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)
            return None
        if source is Source.OCSP:
            result = evaluate_response(raw, cert, issuer, now=now, nonce=None, url=url)
        else:
            result = evaluate_crl(raw, cert, issuer, now=now, url=url)
        if not result.is_definitive:
            path.unlink(missing_ok=True)
            return None
        return dataclasses.replace(result, from_cache=True)

    def put(
        self,
        cert: x509.Certificate,
        issuer: x509.Certificate,
        result: RevocationResult,
        raw: bytes,
        now: dt.datetime,
    ) -> bool:
        """Store a definitive answer that says until when it holds; True if stored."""
        if not result.is_definitive or result.next_update is None or result.next_update <= now:
            return False
        entry = {
            "version": _VERSION,
            "source": result.source.value,
            "url": result.url,
            "next_update": result.next_update.isoformat(),
            "der": base64.b64encode(raw).decode("ascii"),
        }
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self._path(cert, issuer)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(entry, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        return True
