"""Signing documents with the NES card, and checking signed documents.

PAdES (PDF) and CAdES (any file: detached `.p7s`, attached `.imz`) are built with pyHanko
over a signer whose only card access is `TokenSession.sign_digest`, so the PIN guard,
last-try consent, one-operation lock and card-removal handling apply to every signature.
Verification uses pyHanko's ETSI EN 319 102-1 validation fed with our own trust store and
revocation answers (assistant.pki) and returns a typed verdict (`verdict`), worded in
`texts`. Nothing here knows about conversations; documents never leave the machine.
Formats and what public sources confirm about them: NOTES.md.
"""
