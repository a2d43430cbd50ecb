"""The HTTP ceiling: a minimal Flask JSON endpoint, served with the same gunicorn settings as Greenlane.

It parses the same request body and answers a small JSON object, so the ratio Greenlane/ceiling says
how much of the machine's Flask+gunicorn throughput the real decision endpoint keeps.
"""

from __future__ import annotations

from flask import Flask, jsonify, request


def create_app() -> Flask:
    """A Flask app with one POST endpoint and nothing else."""
    app = Flask(__name__)

    @app.post("/api/v1/release-decisions")
    def ceiling():
        body = request.get_json()
        return jsonify({"id": 1, "outcome": "expedited_release", "lines": len(body.get("lines", []))}), 201

    return app
