"""The Telegram channel: operators join support sessions; users get guidance-only flows."""
