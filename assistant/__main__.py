"""Allow `python -m assistant`, same as the `nes-asistan` console script."""

from assistant.cli import main

raise SystemExit(main())
