"""Errors a user can meet, each with a Vietnamese message and an exit status.

    NhacviecError                   exit 1
    ├── InputError (ValueError)     exit 2: unusable input (bad file, bad phrase, bad date)
    │   └── NotFoundError (LookupError)  exit 2: unknown agency, task, plan, period
    ├── ConflictError               exit 1: the request contradicts recorded data
    └── ConfigError                 exit 3: a setting is wrong (URL, token, directory file)

The CLI prints ``str(error)`` on one line of standard error and exits with ``exit_code``; it never
shows a traceback to a user.
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
