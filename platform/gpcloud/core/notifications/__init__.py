"""Notifications: an inbox per user and an outbox of deliveries, both written in the transaction
of the event that causes them; channels beyond the inbox (e-mail, plugins) deliver from jobs."""
