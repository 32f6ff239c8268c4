"""Helpdesk mode, the agent's side: the relay protocol both ends share, the support link
and redaction; secrets stay local. The server is `assistant.helpdesk_server`."""
