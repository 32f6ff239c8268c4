"""The card layer: readers, card recognition and PKCS#11 token operations.

Nothing here words anything for a person or knows about conversations: events are
dataclasses (`monitor`), results are `outcomes.Outcome`s, and the flow layer translates
both. Entry points: `monitor.CardMonitor` (reader/card events), `profiles.ProfileSet`
(ATR → card profile), `token.open_token` / `token.TokenSession` (status, certificates,
test signature, guarded PIN verify/change/unblock). Submodules import their heavy
dependencies (pyscard, python-pkcs11, cryptography) lazily so start-up stays fast.
"""
