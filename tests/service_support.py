"""Running the real `nhacviec run` in a test: until it says it is running, then SIGTERM."""

from __future__ import annotations

import signal
import subprocess


def log_until_running(proc: subprocess.Popen[str]) -> str:
    """What the service logged (to standard error) up to its "running" line (all of it, if it
    ended before saying so)."""
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if "đang chạy" in line:
            break
    return "".join(seen)


def run_until_running_then_stop(proc: subprocess.Popen[str],
                                timeout: float = 60) -> tuple[str, str, str]:
    """Wait for the service's "running" line, stop it with SIGTERM; (log up to running, stdout,
    rest of stderr). The process is killed if anything goes wrong meanwhile."""
    try:
        text = log_until_running(proc)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
    return text, out, err
