"""Conversation flows: a YAML DSL, its loader and lint, the runtime and its persistence.

Knows no channel and no card: actions are registered from outside (`actions.Registry`),
outputs are plain typed records a channel renders as it likes.
"""
