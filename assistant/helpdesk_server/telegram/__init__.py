"""The helpdesk's Telegram bot: operators join support sessions; users get guidance-only flows."""
