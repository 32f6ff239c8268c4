"""`nes-asistan flows lint [PATH ...]`: load and lint flow files, print every problem.

Without a path it checks the flows the assistant runs: the shipped ones together with
`NES_ASISTAN_FLOWS` (assistant.resources).

Exit status 0 when all is well, 1 when any problem was found, so CI can run it. Actions
are checked against the registry the assistant really uses (`DEFAULT_REGISTRY`, or
`args.registry` as "module:function" returning a `Registry`); when none can be
imported the action checks are skipped and the output says so. It sits above the agent
(whose registry it names), not in `flow`, which knows nothing of the agent.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from assistant.flow import loader
from assistant.flow.actions import Registry
from assistant.flow.lint import lint
from assistant.i18n.catalog import catalog_lookup
from assistant.resources import flow_files

DEFAULT_REGISTRY = "assistant.agent.actions:build_registry"


def load_registry(provider: str) -> Registry | None:
    module_name, _, function_name = provider.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    registry = getattr(module, function_name)()
    if not isinstance(registry, Registry):
        raise TypeError(f"{provider} returned {type(registry).__name__}, not a Registry")
    return registry


def main(args: argparse.Namespace) -> int:
    given = getattr(args, "paths", None)
    paths = [Path(p) for p in given] if given else flow_files()
    provider = getattr(args, "registry", None) or DEFAULT_REGISTRY
    flows, problems = loader.load_all(paths)
    registry = load_registry(provider)
    if registry is None:
        print(f"note: no action registry ({provider}); action checks skipped", file=sys.stderr)
    catalog = catalog_lookup() if getattr(args, "catalogs", True) else None
    problems += lint(flows, registry, catalog=catalog)
    for problem in problems:
        print(problem)
    files = len(loader.flow_files(paths))
    verdict = f"{len(problems)} problem(s)" if problems else "no problems"
    print(f"{files} file(s), {len(flows)} flow(s): {verdict}", file=sys.stderr)
    return 1 if problems else 0
