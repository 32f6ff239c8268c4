"""NES Asistanı: a local, conversational helper for NES smart-card holders.

Kept import-free on purpose: `nes-asistan --help` must start in well under 0.15 s, so
heavy libraries (pyscard, python-pkcs11, cryptography) are imported only where used.
"""

__version__ = "0.1.0"
