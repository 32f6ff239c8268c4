"""The demo and training kit, shipped with the package: a virtual AKİS-shaped card.

A PIV card model behind an AKİS ATR (`piv_card`, served to pcscd's vpcd reader by
`vpcd_link` / `virtual_card`), a Kamu SM-shaped TEST PKI (`pki`), `openssl ocsp` on
loopback (`ocsp`) and a private pcscd in its own mount namespace (`pcscd`). The tests
use the same parts, so there is one virtual card, not two. Nothing here is ever used
with a real card: every certificate it makes says TEST.
"""
