"""Catalog ingest: validation, exact line numbers of bad rows, column mapping, CLI."""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path

import pytest

from cartwise.settings import Settings
from retrieval import cli as retrieval_cli
from retrieval.catalog import CatalogReader
from retrieval.errors import CatalogError
from retrieval.validation import ColumnMapping, clean_text

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

GIFTSHOP_CATALOG = Settings(shop="giftshop").shop_data_dir / "catalog.csv"
HEADER = "id,title,description,category,price,stock,brand,image_url,rating,discount\n"


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def errors_by_line(path: Path, mapping: ColumnMapping | None = None) -> dict[int, str]:
    return {e.line: e.reason for e in CatalogReader(mapping).read(path).errors}


def test_good_rows_are_read_with_every_field(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", HEADER + 'A1,"Mug, red",Nice mug,kitchen,£3.50,7,Acme,http://x/img.png,4.5,10%\n')
    result = CatalogReader().read(path)
    assert result.errors == []
    [p] = result.products
    assert (p.id, p.title, p.description, p.category) == ("A1", "Mug, red", "Nice mug", "kitchen")
    assert p.price == Decimal("3.50") and p.stock == 7 and p.brand == "Acme"
    assert p.image_url == "http://x/img.png" and p.rating == 4.5 and p.discount == "10%"


def test_bad_rows_are_reported_with_their_real_line_and_good_rows_kept(tmp_path: Path) -> None:
    text = (
        HEADER  # line 1
        + "G1,Good one,,cat,1.00,1,,,,\n"  # 2
        + 'G2,Multi line,"first line\nsecond line\nthird",cat,2.00,1,,,,\n'  # 3-5
        + ",No id,,cat,1.00,1,,,,\n"  # 6
        + "B2,,,cat,1.00,1,,,,\n"  # 7
        + "B3,Bad price,,cat,abc,1,,,,\n"  # 8
        + "B4,Negative price,,cat,-2.50,1,,,,\n"  # 9
        + "\n"  # 10: blank line, skipped silently
        + "G1,Duplicate of line 2,,cat,9.00,1,,,,\n"  # 11
        + f"B5,{'x' * 301},,cat,1.00,1,,,,\n"  # 12
        + f'B6,Long description,"{"y" * 5001}",cat,1.00,1,,,,\n'  # 13
        + "B7,Too,many,fields,1,2,3,4,5,6,7\n"  # 14
        + "B8,Bad stock,,cat,1.00,lots,,,,\n"  # 15
        + "G3,Last good,,cat,3.00,2,,,,\n"  # 16
    )
    path = write(tmp_path / "c.csv", text)
    result = CatalogReader().read(path)
    assert [p.id for p in result.products] == ["G1", "G2", "G3"]
    assert result.products[1].description == "first line second line third"
    errors = {e.line: e for e in result.errors}
    assert sorted(errors) == [6, 7, 8, 9, 11, 12, 13, 14, 15]
    assert errors[6].reason == "missing id" and errors[6].id is None
    assert errors[7].reason == "missing title" and errors[7].id == "B2"
    assert "not a number" in errors[8].reason and "abc" in errors[8].reason
    assert "negative" in errors[9].reason
    assert "duplicate id 'G1'" in errors[11].reason and "line 2" in errors[11].reason
    assert "title is 301 characters" in errors[12].reason
    assert "description is 5001 characters" in errors[13].reason
    assert "11 fields" in errors[14].reason
    assert "stock" in errors[15].reason
    assert result.rows_read == 12


def test_binary_and_undecodable_bytes_are_rejected_not_fatal(tmp_path: Path) -> None:
    raw = (
        HEADER.encode()
        + b"G1,Fine,,cat,1.00,1,,,,\n"  # 2
        + b"B1,\x01\x02\x03\x04\xff\xfe\x00\x01,,cat,1.00,1,,,,\n"  # 3
        + b"B2,Caf\xe9 mug,,cat,1.00,1,,,,\n"  # 4: latin-1, not UTF-8
        + b"G2,Also fine \xe2\x9c\x93,,cat,1.00,1,,,,\n"  # 5: valid UTF-8 tick
    )
    path = write(tmp_path / "c.csv", raw)
    result = CatalogReader().read(path)
    assert [p.id for p in result.products] == ["G1", "G2"]
    assert result.products[1].title == "Also fine \u2713"
    errors = {e.line: e.reason for e in result.errors}
    assert "binary" in errors[3]
    assert "not valid UTF-8" in errors[4]


def test_unbalanced_quote_is_reported_with_the_lines_it_swallowed(tmp_path: Path) -> None:
    lost = "".join(f"X{i},Lost {i},,c,1,1,,,,\n" for i in range(6))
    rows = 'G1,Fine,,cat,1,1,,,,\nB1,"Broken quote,,cat,1,1,,,,\n' + lost
    result = CatalogReader().read(write(tmp_path / "c.csv", HEADER + rows))
    assert [p.id for p in result.products] == ["G1"]
    [error] = result.errors
    assert error.line == 3 and "spans lines 3-9" in error.reason and "unbalanced quote" in error.reason


def test_text_is_cleaned_and_html_kept_as_text(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.csv",
        HEADER + 'G1,"  Tab\tand\x07bell\u200b ",<script>alert(1)</script> & <b>bold</b>,cat,1,1,,,,\n',
    )
    [p] = CatalogReader().read(path).products
    assert p.title == "Tab and bell"
    assert p.description == "<script>alert(1)</script> & <b>bold</b>"


def test_clean_text_collapses_whitespace_and_drops_controls() -> None:
    assert clean_text("  a \n\n b\x00c\r\n") == "a b c"
    assert clean_text(None) == ""
    assert clean_text(3.5) == "3.5"


def test_bom_and_tsv_are_supported(tmp_path: Path) -> None:
    path = write(tmp_path / "c.tsv", "\ufeffid\ttitle\tprice\nT1\tTab separated, with comma\t2.00\n")
    [p] = CatalogReader().read(path).products
    assert (p.id, p.title, p.price) == ("T1", "Tab separated, with comma", Decimal("2.00"))


def test_jsonl_malformed_lines_are_reported(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "J1", "title": "Json one", "price": 3.5, "stock": 2}),  # 1
        '{"id": "J2", "title": "broken",',  # 2
        "",  # 3 blank
        json.dumps(["not", "an", "object"]),  # 4
        json.dumps({"id": "J3", "title": "No price"}),  # 5
        json.dumps({"id": "J4", "title": "Json four", "price": "£1.20", "brand": "B"}),  # 6
    ]
    path = write(tmp_path / "c.jsonl", "\n".join(lines) + "\n")
    result = CatalogReader().read(path)
    assert [(p.id, p.price) for p in result.products] == [("J1", Decimal("3.50")), ("J4", Decimal("1.20"))]
    errors = {e.line: e.reason for e in result.errors}
    assert sorted(errors) == [2, 4, 5]
    assert errors[2].startswith("malformed JSON")
    assert "JSON object" in errors[4]
    assert errors[5] == "missing price"


def test_column_mapping_maps_source_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path / "retail.csv",
        "StockCode,Description,UnitPrice,Country\n85123A,WHITE HANGING HEART T-LIGHT HOLDER,2.55,UK\n",
    )
    mapping = ColumnMapping.parse("id=StockCode, title=Description,price=UnitPrice")
    [p] = CatalogReader(mapping).read(path).products
    assert (p.id, p.title, p.price, p.stock, p.category) == ("85123A", "WHITE HANGING HEART T-LIGHT HOLDER",
                                                              Decimal("2.55"), 0, "")


def test_missing_required_column_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "sku,name,price\n1,Mug,2\n")
    with pytest.raises(CatalogError, match=r"column 'id' for field 'id' not found.*--map id="):
        CatalogReader().read(path)
    with pytest.raises(CatalogError, match="column 'Brand' for field 'brand'"):
        CatalogReader(ColumnMapping.parse("id=sku,title=name,brand=Brand")).read(path)
    assert len(CatalogReader(ColumnMapping.parse("id=sku,title=name")).read(path).products) == 1


@pytest.mark.parametrize("spec", ["id", "id=", "colour=Colour", "=x"])
def test_bad_map_spec_is_rejected(spec: str) -> None:
    with pytest.raises(CatalogError):
        ColumnMapping.parse(spec)


def test_unreadable_files_raise_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="not found"):
        CatalogReader().read(tmp_path / "nope.csv")
    with pytest.raises(CatalogError, match="empty"):
        CatalogReader().read(write(tmp_path / "empty.csv", ""))
    with pytest.raises(CatalogError, match="unknown catalog format"):
        CatalogReader().read(write(tmp_path / "c.xlsx", "x"))


@pytest.mark.skipif(not GIFTSHOP_CATALOG.exists(), reason="giftshop catalog not built yet")
def test_real_giftshop_catalog_reads_cleanly() -> None:
    result = CatalogReader().read(GIFTSHOP_CATALOG)
    assert result.errors == []
    assert len(result.products) > 3000
    assert any(p.id == "85123A" and "Hanging Heart" in p.title for p in result.products)


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    retrieval_cli.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_cli_ingest_reports_bad_rows_and_is_idempotent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    rows = "G1,Red mug,,kitchen,1.00,1,,,,\n,No id,,x,1,1,,,,\nG2,Blue mug,,kitchen,2,0,,,,\n"
    catalog = write(tmp_path / "c.csv", HEADER + rows)
    settings = Settings(var_dir=tmp_path / "var", shop="tinyshop")
    args = _parse(["ingest", "--catalog", str(catalog), "--batch-size", "1"])
    assert args.func(args, settings) == 0
    out = capsys.readouterr().out
    assert "3 row(s) read, 2 valid, 1 rejected" in out and "line 3: missing id" in out
    assert "2 added" in out and "2 products stored" in out
    assert args.func(args, settings) == 0
    out = capsys.readouterr().out
    assert "0 added, 0 updated, 2 unchanged" in out and "2 products stored" in out

    search = _parse(["search", "mug", "--shop", "tinyshop", "--max-price", "1.50"])
    assert search.func(search, settings) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and "G1" in lines[0] and "Red mug" in lines[0]


def test_cli_ingest_fails_only_when_nothing_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    catalog = write(tmp_path / "c.csv", HEADER + ",No id,,x,1,1,,,,\nB,,,x,1,1,,,,\n")
    settings = Settings(var_dir=tmp_path / "var", shop="tinyshop")
    args = _parse(["ingest", "--catalog", str(catalog), "--no-db"])
    assert args.func(args, settings) == 1
    assert "no valid products" in capsys.readouterr().err
    missing = _parse(["ingest", "--catalog", str(tmp_path / "missing.csv")])
    assert missing.func(missing, settings) == 1


def test_cli_search_without_store_says_how_to_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(var_dir=tmp_path / "var", shop="nowhere")
    args = _parse(["search", "mug"])
    assert args.func(args, settings) == 2
    assert "run `cartwise ingest --shop nowhere`" in capsys.readouterr().err
