"""The loopback web chat (`nes-asistan web`): page, guard, WebSocket conversations."""
