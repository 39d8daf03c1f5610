"""Reading a shop's product catalog (CSV or JSONL) into validated products.

Bad rows never stop a read: each one is reported as a :class:`RowError` with
the line where it starts in the file, and the good rows are returned.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from cartwise.models import Product
from retrieval.errors import CatalogError
from retrieval.types import CatalogReadResult, RowError
from retrieval.validation import ColumnMapping, ProductRowParser, RowRejected, clean_text

if TYPE_CHECKING:
    from cartwise.settings import Settings

logger = logging.getLogger(__name__)

CSV_SUFFIXES = (".csv", ".tsv")
JSONL_SUFFIXES = (".jsonl", ".ndjson")

# (first line, last line, {column: value}), or a RowError for a row unreadable as such.
RawRow = tuple[int, int, dict[str, object] | RowError]
# A rejected row longer than this many lines probably swallowed others through an unbalanced quote.
LONG_ROW_LINES = 5


class CatalogReader:
    """Reads and validates a catalog file.

    Args:
        mapping: which source column holds which product field.
    """

    def __init__(self, mapping: ColumnMapping | None = None) -> None:
        self.mapping = mapping or ColumnMapping()

    @staticmethod
    def default_path(settings: Settings) -> Path:
        """The shop's shipped catalog, ``data/shops/<shop>/catalog.csv``."""
        return settings.shop_data_dir / "catalog.csv"

    def read(self, path: str | Path) -> CatalogReadResult:
        """Read every row of ``path``.

        Args:
            path: a ``.csv``/``.tsv`` file with a header row, or a ``.jsonl`` file of JSON objects.

        Returns:
            The valid products (first occurrence of each id) and one error per rejected row.

        Raises:
            CatalogError: when the file is missing, empty, of an unknown format, or lacks a required column.
        """
        path = Path(path)
        if not path.is_file():
            raise CatalogError(f"catalog file not found: {path}; pass --catalog FILE or build the shop data first")
        suffix = path.suffix.lower()
        if suffix not in CSV_SUFFIXES + JSONL_SUFFIXES:
            raise CatalogError(f"unknown catalog format {suffix!r} for {path}; use .csv, .tsv or .jsonl")
        # surrogateescape keeps undecodable bytes so one bad row doesn't sink the file;
        # newline="" lets the csv module count lines inside quoted multi-line fields.
        with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
            if suffix in JSONL_SUFFIXES:
                # JSON objects may each omit optional keys: look every mapped key up per row.
                parser = ProductRowParser(self.mapping.model_dump())
                return self._validate(parser, self._jsonl_rows(handle))
            reader = csv.reader(handle, delimiter="\t" if suffix == ".tsv" else ",")
            header = self._csv_header(reader, path)
            parser = ProductRowParser(self.mapping.resolve(header))
            return self._validate(parser, self._csv_records(reader, header))

    @staticmethod
    def _validate(parser: ProductRowParser, rows: Iterator[RawRow]) -> CatalogReadResult:
        products: list[Product] = []
        errors: list[RowError] = []
        first_line: dict[str, int] = {}
        for line, last_line, row in rows:
            if isinstance(row, RowError):
                errors.append(row)
                continue
            try:
                product = parser.parse(row)
            except RowRejected as exc:
                reason = exc.reason
                if last_line - line + 1 > LONG_ROW_LINES:
                    reason += f" (the row spans lines {line}-{last_line}: check for an unbalanced quote)"
                errors.append(RowError(line=line, id=exc.product_id, reason=reason))
                continue
            if product.id in first_line:
                reason = f"duplicate id {product.id!r} (first seen on line {first_line[product.id]}); kept the first"
                errors.append(RowError(line=line, id=product.id, reason=reason))
                continue
            first_line[product.id] = line
            products.append(product)
        if errors:
            logger.warning("catalog: %d row(s) rejected, %d product(s) kept", len(errors), len(products))
        return CatalogReadResult(products=products, errors=errors)

    @staticmethod
    def _csv_header(reader: Iterator[list[str]], path: Path) -> list[str]:
        try:
            header = next(reader)
        except StopIteration:
            raise CatalogError(f"catalog file {path} is empty; it needs a header row") from None
        except csv.Error as exc:
            raise CatalogError(f"cannot read the header of {path}: {exc}") from exc
        header = [clean_text(h) for h in header]
        if len(set(header)) != len(header):
            raise CatalogError(f"duplicate column names in the header of {path}: {header}")
        return header

    @staticmethod
    def _csv_records(reader: Iterator[list[str]], header: list[str]) -> Iterator[RawRow]:
        line_num = 1  # the header line
        while True:
            start = line_num + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                line_num = reader.line_num  # type: ignore[attr-defined]
                yield start, line_num, RowError(line=start, reason=f"unreadable CSV row: {exc}")
                continue
            line_num = reader.line_num  # type: ignore[attr-defined]
            if not fields or all(not f.strip() for f in fields):
                continue
            if len(fields) > len(header) and any(f.strip() for f in fields[len(header) :]):
                reason = f"row has {len(fields)} fields but the header has {len(header)} (unquoted comma?)"
                yield start, line_num, RowError(line=start, id=clean_text(fields[0]) or None, reason=reason)
                continue
            yield start, line_num, dict(zip(header, fields, strict=False))

    @staticmethod
    def _jsonl_rows(handle: TextIO) -> Iterator[RawRow]:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                reason = f"malformed JSON: {exc.msg} at column {exc.colno}"
                yield line_no, line_no, RowError(line=line_no, reason=reason)
                continue
            if not isinstance(record, dict):
                reason = f"expected a JSON object, got {type(record).__name__}"
                yield line_no, line_no, RowError(line=line_no, reason=reason)
                continue
            yield line_no, line_no, record
