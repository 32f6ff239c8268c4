"""`python -m assistant.doctor [--json] [--report FILE] ...`: the doctor without the main CLI
(tests and benchmarks run it in a fresh process: libpcsclite reads its socket once)."""

from __future__ import annotations

import argparse

from assistant.doctor.cli import add_arguments, main

parser = argparse.ArgumentParser(prog="python -m assistant.doctor")
add_arguments(parser)
raise SystemExit(main(parser.parse_args()))
