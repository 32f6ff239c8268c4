"""The independent checkers: poppler's pdfsig (with an NSS store made by certutil) and
`openssl cms -verify`, run as the programs they are."""

from __future__ import annotations

import subprocess
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding


def nss_store(folder: Path, *roots: Path) -> Path:
    """An NSS database trusting `roots` for signatures (what pdfsig consults)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True)
    for index, root in enumerate(roots):
        subprocess.run(
            ["certutil", "-A", "-d", f"sql:{folder}", "-n", f"root-{index}", "-t", "CT,C,C",
             "-i", str(root)],
            check=True,
        )  # fmt: skip
    return folder


def pdfsig(pdf: Path, store: Path) -> str:
    """pdfsig without its own OCSP requests: NSS's request can leave openssl's
    one-at-a-time responder unusable for the rest of a test, and revocation is asked of
    `openssl ocsp` instead where a test needs an independent answer."""
    done = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{store}", "-no-ocsp", str(pdf)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.stdout + done.stderr


def pdfsig_says_valid(pdf: Path, store: Path) -> bool:
    """pdfsig's verdict on the signature, and on the certificate as far as pdfsig 22.12
    can give one: it reads NSS's last error code after CERT_PKIXVerifyCert without
    looking at the call's result, so with the root trusted a good chain still prints
    "Unknown issue with Certificate" on this Debian (even for a plain openssl-made
    chain). What it must not say is that the issuer is unknown, revoked or expired;
    `nss_chain_good` then asks NSS's own vfychain about the same certificates."""
    checked = pdfsig(pdf, store)
    bad = ("issuer is unknown", "Certificate has been Revoked", "Certificate has Expired")
    return "Signature is Valid." in checked and not any(b in checked for b in bad)


def nss_chain_good(pdf: Path, store: Path, work: Path) -> bool:
    """The certificates pdfsig dumps from the first signature, verified by NSS's PKIX
    library (vfychain -pp) for e-mail/document signing against the store."""
    work.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdfsig", "-dump", str(pdf.resolve())], cwd=work, check=True,
                   capture_output=True)  # fmt: skip
    (dumped,) = work.glob("*.sig0")
    pem = subprocess.run(
        ["openssl", "pkcs7", "-inform", "DER", "-in", str(dumped), "-print_certs"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    certs = x509.load_pem_x509_certificates(pem.encode())
    # vfychain wants the end entity first; CAs follow as the chain.
    certs.sort(key=lambda c: c.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    files = []
    for index, cert in enumerate(certs):
        path = work / f"cert-{index}.pem"
        path.write_bytes(cert.public_bytes(Encoding.PEM))
        files.append(path)
    arguments = [a for f in files for a in ("-a", str(f))]
    done = subprocess.run(
        ["vfychain", "-d", f"sql:{store}", "-pp", "-u", "4", *arguments],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return "Chain is good!" in done.stdout + done.stderr


def openssl_cms_verify(
    signature: Path, pki_dir: Path, content: Path | None = None, out: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`openssl cms -verify` against the TEST root; `content` for a detached signature."""
    command = [
        "openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(signature),
        "-CAfile", str(pki_dir / "root.pem"), "-certfile", str(pki_dir / "ca.pem"),
        "-purpose", "any",
    ]  # fmt: skip
    if content is not None:
        command += ["-content", str(content)]
    command += ["-out", str(out) if out is not None else "/dev/null"]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def flip_byte(source: Path, target: Path, offset: int) -> Path:
    data = bytearray(source.read_bytes())
    data[offset] ^= 0x01
    target.write_bytes(bytes(data))
    return target


def dark_pixels(pdf: Path, page: int, region: tuple[float, float, float, float]) -> int:
    """Dark pixels of `page` (1-based) inside `region` (fractions x0, y0, x1, y1 of the
    page, y from the top), from poppler's own rendering as a PGM."""
    prefix = pdf.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-gray", "-r", "50", "-f", str(page), "-l", str(page), str(pdf), str(prefix)],
        check=True,
    )  # fmt: skip
    (image,) = prefix.parent.glob(f"{prefix.name}-*.pgm")
    data = image.read_bytes()
    image.unlink()
    magic, width, height, maximum, rest = data.split(maxsplit=4)
    assert magic == b"P5" and maximum == b"255"
    w, h = int(width), int(height)
    x0, y0, x1, y1 = (int(f * n) for f, n in zip(region, (w, h, w, h), strict=True))
    return sum(1 for y in range(y0, y1) for x in range(x0, x1) if rest[y * w + x] < 128)
