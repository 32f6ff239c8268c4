"""The helpdesk server, a deployable of its own: relay, pairing codes, its SQLite store,
the operators' Telegram bot and the process that runs them (`nes-asistan helpdesk`)."""
