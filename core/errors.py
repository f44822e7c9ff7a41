"""Every error nhacviec raises on purpose, in one tree, each with its exit status.

    NhacviecError                         exit 1
    ├── InputError (ValueError)           exit 2: unusable input (bad file, bad phrase, bad date)
    │   └── NotFoundError (LookupError)   exit 2: unknown agency, task, plan, period
    ├── ConflictError                     exit 1: the request contradicts recorded data
    ├── ConfigError                       exit 3: a setting is wrong (URL, token, directory file,
    │                                     TLS mode, refused SMTP login): stop the batch, say so
    └── DeliveryError                     exit 1: a message could not be delivered
        └── TransientDeliveryError (ConnectionError)
                                          4xx, dropped connection, timeout, 429: retry later

The CLI prints ``str(error)`` on one line of standard error and exits with ``exit_code``; it never
shows a traceback to a user. A channel reports a single message's failure in its
``DeliveryResult`` (``permanent=True`` for a refusal that retrying will not change), never by
raising; it raises ``TransientDeliveryError`` only when the whole batch must wait (the server is
unreachable), and ``ConfigError`` when a setting stops it. Messages are Vietnamese and never carry
a secret.
"""

from __future__ import annotations


class NhacviecError(Exception):
    exit_code = 1


class InputError(NhacviecError, ValueError):
    exit_code = 2


class NotFoundError(InputError, LookupError):
    exit_code = 2


class ConflictError(NhacviecError):
    exit_code = 1


class ConfigError(NhacviecError):
    exit_code = 3


class DeliveryError(NhacviecError):
    """A message could not be delivered."""


class TransientDeliveryError(DeliveryError, ConnectionError):
    """Worth retrying later."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
