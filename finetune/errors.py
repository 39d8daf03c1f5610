"""Exceptions raised by the ``finetune`` package (all derive from :class:`FinetuneError`)."""

from __future__ import annotations


class FinetuneError(Exception):
    """Base class of every error raised by ``finetune``."""


class IntentDataError(FinetuneError, ValueError):
    """A data file or example is malformed (the message names the file, line and value)."""


class NotFittedError(FinetuneError, FileNotFoundError):
    """No trained intent model where one was expected; the message says how to train one."""


class TrainingError(FinetuneError, RuntimeError):
    """Training could not run or produced no usable model."""
