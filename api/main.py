"""ASGI factory for uvicorn (`uvicorn --factory api.main:app`): settings from the environment."""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from api.settings import Settings


def app() -> FastAPI:
    return create_app(Settings())
