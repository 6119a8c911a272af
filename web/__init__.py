"""The Flask app: thin views over engine calls."""

from __future__ import annotations

from typing import Any

from flask import Flask

from engine.db import Database
from engine.steps import Engine


def create_app(test_config: dict[str, Any] | None = None, engine: Engine | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(DATABASE_URL=None)
    if test_config:
        app.config.update(test_config)
    app.extensions["desa"] = engine or Engine(Database(app.config["DATABASE_URL"]))

    from . import status

    app.register_blueprint(status.bp)
    return app
