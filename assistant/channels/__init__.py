"""Front ends: terminal chat, loopback web chat; they render outputs and read replies."""
