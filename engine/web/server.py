"""Serving the desk with uvicorn: `nhacviec web` on its own, or inside `nhacviec run` (the
scheduler, the bots and the desk in one asyncio process) when NHACVIEC_WEB_PORT is set.

The server never installs signal handlers of its own: the process's SIGTERM / SIGINT handler
sets one stop event, and the server finishes the requests in flight and returns."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator

import uvicorn

from engine.service.runtime import Runtime

log = logging.getLogger("nhacviec.web")


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # the process's handler stops it instead
        yield


def make_server(rt: Runtime, host: str, port: int) -> uvicorn.Server:
    from engine.web.app import create_app

    config = uvicorn.Config(create_app(rt), host=host, port=port, log_level="warning",
                            access_log=False, proxy_headers=False, lifespan="off",
                            timeout_graceful_shutdown=10)
    return _Server(config)


async def serve_web(rt: Runtime, host: str, port: int, stop: asyncio.Event) -> None:
    """Serve until `stop` is set; raises OSError when the address cannot be bound."""
    server = make_server(rt, host, port)

    async def run() -> None:
        try:
            await server.serve()
        except SystemExit:  # uvicorn's answer to an address it cannot bind
            raise OSError(f"không mở được cổng {host}:{port}") from None

    task = asyncio.create_task(run())
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    stopper.cancel()
    await task  # re-raises a startup failure
    if task in done and not stop.is_set() and not server.started:
        raise OSError(f"không mở được cổng {host}:{port}")


async def serve_forever(rt: Runtime, host: str, port: int) -> None:
    """`nhacviec web`: until SIGTERM or Ctrl-C."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    log.info("Trang điều hành: http://%s:%d", host, port)
    await serve_web(rt, host, port, stop)
