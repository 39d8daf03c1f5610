"""Redact personal data from log records, the same way transcripts are redacted before they are stored.

Shoppers type e-mail addresses, phone numbers, card numbers and street addresses
into the chat; any of it can reach a log line (a hand-off reason, an error with
the message in it, a third-party library's warning). :func:`install_log_redaction`
makes every record created from then on pass through :func:`assistant.redact.redact`,
whichever logger or handler it goes to.

Example:
    >>> import logging
    >>> record = logging.LogRecord("x", logging.INFO, __file__, 1, "mail %s", ("jo@example.com",), None)
    >>> _ = RedactingFilter().filter(record)
    >>> record.getMessage()
    'mail [email]'
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from assistant.redact import redact

_MARK = "_cartwise_redacting"


class RedactingFilter(logging.Filter):
    """A logging filter that rewrites a record's message (and its traceback text) with personal data redacted.

    It never drops a record. Attach it to a handler, or use :func:`install_log_redaction` to cover every
    record of the process.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, _MARK, False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record; logging reports it later
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            # Formatters reuse a cached exc_text, so the redacted traceback is what gets written.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        setattr(record, _MARK, True)
        return True


def install_log_redaction() -> None:
    """Redact every log record of this process at creation (idempotent).

    Wraps the logging record factory rather than adding a filter to each handler, so handlers added later
    (uvicorn's, a test's ``caplog``) are covered too. Called by ``python app.py`` and the ``cartwise`` CLI.
    """
    current: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()
    if getattr(current, _MARK, False):
        return
    redactor = RedactingFilter()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        redactor.filter(record)
        return record

    setattr(factory, _MARK, True)
    logging.setLogRecordFactory(factory)
