"""`tomtat serve` (registered through entry points)."""

from __future__ import annotations

import argparse
from typing import Any


def add_serve_command(sub: Any) -> None:
    p = sub.add_parser("serve", help="run the HTTP service (uvicorn)")
    p.add_argument("--host", default=None, help="default 127.0.0.1 (TOMTAT_HOST)")
    p.add_argument("--port", type=int, default=None, help="default 8000 (TOMTAT_PORT)")
    p.add_argument("--model", default=None, help="registry name, folder or hub id (TOMTAT_MODEL)")
    p.add_argument("--workers", type=int, default=None, help="processes, each with its own model (TOMTAT_WORKERS)")
    p.add_argument("--backend", default=None, choices=["transformers", "ct2"])
    p.add_argument("--device", default=None)
    p.set_defaults(func=_cmd_serve)


def _cmd_serve(args: argparse.Namespace) -> int:
    import functools
    import os

    import uvicorn

    from api.logs import configure_logging
    from api.protocol import HeaderTimeoutProtocol
    from api.settings import Settings

    overrides = {k: v for k, v in vars(args).items() if k in ("host", "port", "model", "workers", "backend", "device")}
    overrides = {k: v for k, v in overrides.items() if v is not None}
    settings = Settings(**overrides)  # validated here, before anything starts
    configure_logging(settings.log_level)
    # worker processes rebuild the settings from the environment: pass the overrides on
    for key, value in overrides.items():
        os.environ[f"TOMTAT_{key.upper()}"] = str(value)
    uvicorn.run(
        "api.main:app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_config=None,
        access_log=False,
        # h11 with a deadline for request headers (a body's pace is the guard's, api.guard)
        http=functools.partial(HeaderTimeoutProtocol, header_timeout_s=settings.header_timeout_s),
    )
    return 0
