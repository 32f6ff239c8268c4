"""Telegram update throughput: real `Update`s through `Application.process_update`.

The whole helpdesk server runs as in production (relay + bot, SQLite store) with the Bot
API replaced by the loopback fake from the tests, so each update costs what it costs in
production minus Telegram's own latency: parsing, the rate limiter, the flow session on
channel "telegram", the store write, redaction and one sendMessage over HTTP.
Two mixes: guidance-flow turns from many chats, and operator `/say` relayed to a
connected local agent over the relay's WebSocket.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from assistant.helpdesk_server.server import HelpdeskConfig
from tests.integration.helpdesk.conftest import (
    AGENT_TOKEN,
    OPERATOR,
    REPO,
    RunningHelpdesk,
)
from tests.integration.helpdesk.fake_bot_api import FakeBotApi, Served, update_json
from tests.unit.helpdesk.conftest import FakeClock

UPDATES = 400
REPLIES = ("1", "1", "evet", "2", "1", "evet")


def _rate(helpdesk: RunningHelpdesk, updates: list[dict[str, object]]) -> float:
    start = time.perf_counter()
    for data in updates:
        helpdesk.send(data)  # Update.de_json + process_update on the server's loop
    return len(updates) / (time.perf_counter() - start)


def main() -> dict[str, float]:
    from assistant.helpdesk.agent_link import SupportLink

    api = FakeBotApi()
    with tempfile.TemporaryDirectory() as tmp, Served(api.app()) as served:
        api.port = served.port
        config = HelpdeskConfig(
            database=Path(tmp) / "helpdesk.db", flows=REPO / "flows", operators={OPERATOR: "Op"}
        )
        helpdesk = RunningHelpdesk(config, api, FakeClock()).start()
        try:
            chats = 50  # below the per-chat limit: 8 updates per chat
            guidance = [
                update_json(n + 1, 10_000 + n % chats, REPLIES[(n // chats) % len(REPLIES)])
                for n in range(UPDATES)
            ]
            guidance_rate = _rate(helpdesk, guidance)

            link = SupportLink(lambda outputs: None)
            code = link.open_support(helpdesk.url, AGENT_TOKEN)
            helpdesk.send(update_json(UPDATES + 1, OPERATOR, f"/join {code}"))
            helpdesk.server.bot.limiter.limit = UPDATES * 2  # one busy operator chat
            relayed = [update_json(UPDATES + 2 + n, OPERATOR, f"mesaj {n}") for n in range(UPDATES)]
            relay_rate = _rate(helpdesk, relayed)
            link.end()
        finally:
            helpdesk.stop()
    results = {
        "guidance_updates_per_s": round(guidance_rate, 1),
        "operator_say_updates_per_s": round(relay_rate, 1),
    }
    print(
        f"guidance flow turns   {results['guidance_updates_per_s']:8.1f} updates/s\n"
        f"operator /say relayed {results['operator_say_updates_per_s']:8.1f} updates/s"
        f"   ({UPDATES} updates each, one sendMessage per update)"
    )
    return results


if __name__ == "__main__":
    main()
