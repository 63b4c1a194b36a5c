"""Webhooks: the event catalog and outbox (``events``), Standard Webhooks signing (``signing``) and
delivery with retries on the task queue (``delivery``). Changes to endpoints are actions in
``credentials.actions.webhooks``."""
