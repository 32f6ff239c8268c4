"""Certificate insight and revocation checking for NES certificates.

Everything here returns typed, language-neutral facts and outcomes (enums, dates, URLs);
the conversation layer words them. Nothing here imports flow, agent or channel code.
"""
