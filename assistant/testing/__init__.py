"""Scripted dialog tests: the YAML format, the runner and the ``cartwise test`` command."""
