"""The local agent: card service, conversations, flow actions."""
