"""A training model of the Kamu SM certificate portal: NOT the real CA.

For helpdesk training, the demo and the tests: `create_app(state_path, seed_path=...)`
builds the Starlette app, `python -m assistant.portal.reference --state FILE --port N`
serves it on 127.0.0.1. Its HTTP API is in `openapi.yaml` (served at /openapi.json).
"""

BANNER = "EĞİTİM PORTALI — gerçek Kamu SM değildir / training portal, not the real CA"
# Header values must be ASCII for many HTTP stacks, hence a folded form for headers.
BANNER_ASCII = "EGITIM PORTALI - gercek Kamu SM degildir / training portal, not the real CA"
