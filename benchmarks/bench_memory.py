"""The running agent's memory: after start, 1,000 insert/remove cycles, 1,000 conversations.

`nes-asistan agent` runs as its own process, as a person runs it, and its resident set
(VmRSS) and open file descriptors are read from /proc/<pid>: the benchmark's own process
holds the virtual card and would blur the figure.

- start: the agent answers on its socket (flows loaded, the card monitor running);
- warm: one conversation chose "Kartım yeni geldi" and stands at "PIN'inizi biliyor
  musunuz?", so the PKCS#11 module is loaded and the card was read;
- cycles: the card is pulled and put back; each time the waiting conversation pauses
  ("agent.card_removed") and, once the card is back, reopens the token, reads its serial
  and resumes ("agent.card_back"): the benchmark waits for both of the agent's messages;
- conversations: a front end attaches and leaves again, CONVERSATIONS times (each
  resumes the saved conversation, as the terminal does when it is started again).

RSS is sampled every tenth of each phase; flat means the figure stops growing after
warm-up: the slope over the second half of each phase is reported (KB per 100). A cycle
takes about 2.5 s on the rig (pcscd polls vpcd about every 0.4 s, and re-reading the
card is ~34 APDUs at ~45 ms each over vpcd), so the cycles take most of the run; set
NES_BENCH_CYCLES / NES_BENCH_CONVERSATIONS to try the benchmark itself quickly.
"""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.agent_process import AgentProcess

if TYPE_CHECKING:
    from assistant.flow.outputs import Output

CYCLES = int(os.environ.get("NES_BENCH_CYCLES", "1000"))
CONVERSATIONS = int(os.environ.get("NES_BENCH_CONVERSATIONS", "1000"))
SAMPLES = 10
EVENT_TIMEOUT = 15.0
OPENSC = Path("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so")
OPENSC_CONF = (
    "app opensc-pkcs11 { pkcs11 { user_pin_unblock_style = set_pin_in_unlogged_session; } }\n"
)
KNOWS_PIN = "onboarding.knows_pin"


def _wait_for(pushed: queue.Queue[list[Output]], message_id: str) -> None:
    """Until the agent pushes `message_id` (a card event it reacted to), with a deadline."""
    while True:
        try:
            outputs = pushed.get(timeout=EVENT_TIMEOUT)
        except queue.Empty:
            raise TimeoutError(f"the agent never said {message_id}") from None
        if any(o.message_id == message_id for o in outputs):
            return


def slope_per_100(samples: list[tuple[int, int]]) -> float:
    """Least-squares growth (KB per 100 steps) over the second half of (step, KB) samples."""
    half = samples[len(samples) // 2 :]
    if len(half) < 2:
        return 0.0
    mean_x = sum(x for x, _ in half) / len(half)
    mean_y = sum(y for _, y in half) / len(half)
    spread = sum((x - mean_x) ** 2 for x, _ in half)
    if spread == 0:
        return 0.0
    slope = sum((x - mean_x) * (y - mean_y) for x, y in half) / spread
    return round(slope * 100, 1)


def _phase(
    agent: AgentProcess, steps: int, step: Callable[[], None]
) -> tuple[list[tuple[int, int]], int]:
    """Run `step` `steps` times; (RSS samples, open fds at the end)."""
    samples = [(0, agent.rss_kb())]
    every = max(1, steps // SAMPLES)
    for done in range(1, steps + 1):
        step()
        if done % every == 0 or done == steps:
            samples.append((done, agent.rss_kb()))
    return samples, agent.open_fds()


def main() -> dict[str, float | str]:
    if shutil.which("pcscd") is None or not OPENSC.exists():
        return {"skipped": "pcscd or OpenSC not installed"}
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        results = _run(Path(tmp))
    print("\n".join(f"{key}: {value}" for key, value in results.items()))
    return results


def _run(work: Path) -> dict[str, float | str]:
    from assistant.agent.client import RemoteConversation
    from assistant.demo.pcscd import PcscService
    from assistant.demo.pki import TestPki
    from assistant.demo.virtual_card import VirtualCard, create_state

    service = PcscService(work / "pcsc", entries=1)
    service.start()
    try:
        (work / "opensc.conf").write_text(OPENSC_CONF, encoding="utf-8")
        env = {
            **os.environ,
            **service.env(),
            "OPENSC_CONF": str(work / "opensc.conf"),
            "NES_ASISTAN_PKCS11_MODULE": str(OPENSC),
            "NES_ASISTAN_HOME": str(work / "home"),
        }
        slot = service.acquire_slot()
        create_state(TestPki(work / "pki"), work / "card.json")
        card = VirtualCard(work / "card.json", "akis", slot.port, slot.name)
        os.environ.update(service.env())  # wait_for_card in this process: before any PC/SC
        card.insert()  # PC/SC sees it before the agent starts: its first picture has the card
        agent = AgentProcess(env, work / "agent.log")
        agent.start()
        try:
            results: dict[str, float | str] = {
                "rss_start_kb": agent.rss_kb(),
                "fds_start": agent.open_fds(),
            }
            pushed: queue.Queue[list[Output]] = queue.Queue()
            attached = RemoteConversation.attach(agent.socket, pushed.put, "terminal", "tr")
            if attached is None:
                raise RuntimeError("the agent does not answer on its socket")
            conversation, _ = attached
            answer = conversation.reply("1")
            if not any(o.message_id == KNOWS_PIN for o in answer):
                ids = [o.message_id for o in answer]
                raise RuntimeError(f"the card checks did not reach the PIN question: {ids}")
            results["rss_warm_kb"] = agent.rss_kb()

            def cycle() -> None:
                card.remove(wait=False)
                _wait_for(pushed, "agent.card_removed")
                card.insert(wait=False)
                _wait_for(pushed, "agent.card_back")

            samples, fds = _phase(agent, CYCLES, cycle)
            conversation.close()
            results.update(_report("cycles", CYCLES, samples, fds))

            def visit() -> None:
                again = RemoteConversation.attach(agent.socket, lambda o: None, "terminal", "tr")
                if again is None:
                    raise RuntimeError("the agent stopped answering")
                again[0].close()

            samples, fds = _phase(agent, CONVERSATIONS, visit)
            results.update(_report("conversations", CONVERSATIONS, samples, fds))
        finally:
            agent.stop()
            card.remove(wait=False)
    finally:
        service.stop()
    return results


def _report(
    phase: str, steps: int, samples: list[tuple[int, int]], fds: int
) -> dict[str, float | str]:
    return {
        f"rss_after_{phase}_kb": samples[-1][1],
        f"rss_{phase}_growth_per_100_kb": slope_per_100(samples),
        f"fds_after_{phase}": fds,
        f"{phase}_done": steps,
        f"rss_{phase}_samples_detail": ", ".join(f"{step}: {kb}" for step, kb in samples),
    }
