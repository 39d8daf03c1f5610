"""Handlers decide a turn from a typed Understanding and return reply facts with a typed state update."""
