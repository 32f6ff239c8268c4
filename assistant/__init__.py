"""NES Asistanı: a local, conversational helper for NES smart-card holders.

Kept import-free on purpose: `nes-asistan --help` must start in well under 0.15 s, so
heavy libraries (pyscard, python-pkcs11, cryptography) are imported only where used.
`__version__` is read from the installed package's metadata on first use: the version
is written once, in pyproject.toml.
"""

DISTRIBUTION = "nes-asistan"


def __getattr__(name: str) -> str:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version(DISTRIBUTION)
        except PackageNotFoundError:  # run from a checkout that was never installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
