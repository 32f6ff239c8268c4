"""Helpdesk mode: support sessions relayed to operators on Telegram, secrets kept local."""
