"""The endpoint factory's name before the stage folders, kept for live deployments.

`uvicorn --factory compiler.serve:app_from_env` keeps working; new deployments
name `compiler.collect.server:app_from_env` (docs/deploying.md).
"""

from __future__ import annotations

from .collect.server import app_from_env

__all__ = ["app_from_env"]
