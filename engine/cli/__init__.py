"""The `desa` command: every subcommand reads the database named by DESA_DATABASE_URL."""

from engine.cli.main import main

__all__ = ["main"]
