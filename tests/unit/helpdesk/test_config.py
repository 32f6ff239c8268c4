"""The server's TOML configuration: paths relative to the file, the allow-list as ids."""

from __future__ import annotations

from pathlib import Path

from assistant.helpdesk_server.server import load_config


def test_the_documented_example_configuration_loads(tmp_path: Path) -> None:
    path = tmp_path / "helpdesk.toml"
    path.write_text(
        """
[relay]
host = "0.0.0.0"
port = 8443
ssl_certfile = "tls/fullchain.pem"
ssl_keyfile = "tls/privkey.pem"

[store]
path = "state/helpdesk.db"

[session]
idle_minutes = 15

[operators]
123456789 = "Ayşe (BİDB)"
""",
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.operators == {123456789: "Ayşe (BİDB)"}
    assert (config.host, config.port) == ("0.0.0.0", 8443)
    assert config.ssl_certfile == tmp_path / "tls" / "fullchain.pem"
    assert config.database == tmp_path / "state" / "helpdesk.db"
    assert config.idle_timeout == 15 * 60
