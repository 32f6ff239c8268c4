"""Two processes logging at once past rotations: every record survives, none is doubled.

Before, the agent and an attached front end each rotated the same agent.log; once the
front end had rotated it, the agent wrote into a renamed file that the next rotation
deleted (0 of 100 ERROR records survived in one run). Now each process has its own file,
and only its owner ever rotates it.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections import Counter
from pathlib import Path

from assistant.agent import logs

ROOT = Path(__file__).parents[3]
# Each record is ~600 bytes: 1,700 of them pass the 1 MB rotation.
WRITER = """
import logging, sys
from pathlib import Path
from assistant.agent import logs
path = logs.configure(sys.argv[1], Path(sys.argv[2]))
print(path.name, flush=True)
log, number = logging.getLogger("writer"), 0
for command in sys.stdin:  # "N": write N records, then say "done"
    for _ in range(int(command)):
        log.error("%s %06d %s", sys.argv[3], number, "x" * 560)
        number += 1
    print("done", flush=True)
"""


class Writer:
    """A process that logs through `logs.configure(name)` when told to."""

    def __init__(self, folder: Path, name: str, tag: str) -> None:
        self.tag = tag
        self.written = 0
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRITER, name, str(folder), tag],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        self.file = self._line()

    def _line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        assert line, "the writer died"
        return line

    def write(self, count: int) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{count}\n")
        self.process.stdin.flush()
        assert self._line() == "done"
        self.written += count

    def end(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        assert self.process.wait(60) == 0

    def expected(self) -> Counter[str]:
        return Counter(f"{self.tag} {n:06d}" for n in range(self.written))


def records(folder: Path) -> Counter[str]:
    """`tag number` of every record in every log file and backup in `folder`."""
    found: Counter[str] = Counter()
    for path in folder.glob("*.log*"):
        if path.suffix == ".lock":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            tag, number, _ = json.loads(line)["message"].split(" ", 2)
            found[f"{tag} {number}"] += 1
    return found


def test_the_agent_and_a_front_end_each_keep_every_record_past_rotations(
    tmp_path: Path,
) -> None:
    agent, web = Writer(tmp_path, "agent", "agent"), Writer(tmp_path, "web", "web")
    try:
        assert (agent.file, web.file) == ("agent.log", "web.log")
        agent.write(100)  # the agent writes, then the front end rotates past it twice
        web.write(2_000)
        agent.write(100)
        web.write(2_000)
        agent.write(1_800)  # and the agent rotates too
    finally:
        agent.end()
        web.end()
    assert (tmp_path / "agent.log.1").exists() and (tmp_path / "web.log.2").exists()
    assert records(tmp_path) == agent.expected() + web.expected()


def test_two_front_ends_of_one_kind_get_a_file_each(tmp_path: Path) -> None:
    first, second = Writer(tmp_path, "terminal", "a"), Writer(tmp_path, "terminal", "b")
    try:
        assert {first.file, second.file} == {"terminal.log", "terminal-2.log"}
        for _ in range(2):
            first.write(1_000)
            second.write(1_000)
    finally:
        first.end()
        second.end()
    assert records(tmp_path) == first.expected() + second.expected()


def test_a_file_is_free_again_once_its_process_has_ended(tmp_path: Path) -> None:
    first = Writer(tmp_path, "terminal", "a")
    first.end()
    second = Writer(tmp_path, "terminal", "b")
    second.end()
    assert second.file == "terminal.log"


def test_a_process_reconfiguring_keeps_its_file(tmp_path: Path) -> None:
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    try:
        first = logs.configure("agent", tmp_path)
        assert logs.configure("agent", tmp_path) == first
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()
        for handler in saved:
            root.addHandler(handler)
        root.setLevel(level)
