"""`python -m assistant.doctor [--json] [--report FILE] ...`: the doctor without the main CLI
(tests and benchmarks run it in a fresh process: libpcsclite reads its socket once)."""

from __future__ import annotations

import argparse

from assistant.cli_parser import add_global_options
from assistant.cli_texts import cli_text
from assistant.doctor.cli import add_arguments, main

parser = argparse.ArgumentParser(prog="python -m assistant.doctor")
add_arguments(parser, cli_text())
add_global_options(parser, cli_text())
raise SystemExit(main(parser.parse_args()))
