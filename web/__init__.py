"""Cartwise on the web: the Gradio UI, the embeddable widget and the JSON API, served by one FastAPI app."""

from __future__ import annotations
