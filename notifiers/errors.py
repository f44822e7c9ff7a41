"""Delivery errors.

    NotifierError
    ├── ConfigurationError        a setting is wrong (bad token, unknown TLS mode): stop, say so
    └── DeliveryError
        ├── TransientDeliveryError  4xx, dropped connection, timeout, 429: retry with backoff
        └── PermanentDeliveryError  5xx, refused recipient, chat not found: record, tell a person

Transient and permanent are different classes because the dispatcher treats them differently.
They mix in builtins so callers can catch ``ConnectionError`` / ``ValueError`` too.
"""

from __future__ import annotations


class NotifierError(Exception):
    """Base of every error a notifier raises."""


class ConfigurationError(NotifierError, ValueError):
    """A channel setting is missing or wrong."""


class DeliveryError(NotifierError):
    """A message could not be delivered."""


class TransientDeliveryError(DeliveryError, ConnectionError):
    """Worth retrying later."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentDeliveryError(DeliveryError):
    """Retrying will not help."""
