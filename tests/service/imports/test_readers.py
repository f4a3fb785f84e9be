"""Reading files as streams of records: line numbers, one bad line at a time, format inference."""

import io

import pytest

from service.imports.options import Format
from service.imports.readers import MAX_LINE_BYTES, infer_format, open_source


def lines_of(data: bytes, fmt: Format):
    return [(line.number, line.fields, line.error) for line in open_source(io.BytesIO(data), fmt).lines]


def test_jsonl_records_keep_their_line_numbers_across_blank_and_broken_lines():
    data = b'{"a": 1}\n\n{"a": \n[1, 2]\n\xef\xbb\xbf{"a": 2}\r\n{"a": "\xff"}\n'
    found = lines_of(data, Format.JSONL)
    assert found[0] == (1, {"a": 1}, None)
    assert found[1] == (2, None, None)
    assert found[2][0] == 3 and found[2][2].startswith("not valid JSON")
    assert found[3] == (4, None, "not a JSON object (a JSON array)")
    assert found[4][0] == 5 and found[4][2].startswith("not valid JSON")
    assert found[5][0] == 6 and "UTF-8" in found[5][2]


def test_a_csv_record_spanning_lines_is_numbered_by_its_first_line():
    data = b'external_id,notes\nC-1,"two\nlines"\nC-2,plain\n'
    assert lines_of(data, Format.CSV) == [
        (2, {"external_id": "C-1", "notes": "two\nlines"}, None),
        (4, {"external_id": "C-2", "notes": "plain"}, None),
    ]


def test_csv_header_is_trimmed_lowercased_and_may_start_with_a_byte_order_mark():
    source = open_source(io.BytesIO("\ufeffExternal_ID , Last_Name\nX,Y\n".encode()), Format.CSV)
    assert source.columns == ("external_id", "last_name")
    assert [line.fields for line in source.lines] == [{"external_id": "X", "last_name": "Y"}]


def test_csv_rows_with_too_many_cells_or_bad_bytes_are_refused_alone():
    data = b"a,b\n1,2,3\n\xff,1\n4,5\n"
    assert lines_of(data, Format.CSV) == [
        (2, None, "has 3 cells but the header names 2 columns"),
        (3, None, "not UTF-8 text (invalid start byte at byte 0)"),
        (4, {"a": "4", "b": "5"}, None),
    ]


def test_a_csv_header_naming_a_column_twice_is_refused():
    with pytest.raises(ValueError, match="names a more than once"):
        open_source(io.BytesIO(b"a,b,A\n"), Format.CSV)


def test_an_overlong_line_is_refused_without_being_held_and_reading_goes_on():
    data = b'{"a": 1}\n{"x": "' + b"y" * (MAX_LINE_BYTES * 2) + b'"}\n{"a": 3}\n'
    found = lines_of(data, Format.JSONL)
    assert found == [(1, {"a": 1}, None), (2, None, f"longer than {MAX_LINE_BYTES} bytes"), (3, {"a": 3}, None)]


def test_each_record_accounts_for_the_bytes_it_took():
    data = b'{"a": 1}\n\n{"a": 2}'
    assert sum(line.size for line in open_source(io.BytesIO(data), Format.JSONL).lines) == len(data)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("people.jsonl", b"", Format.JSONL),
        ("people.NDJSON", b"", Format.JSONL),
        ("people.csv", b"{", Format.CSV),
        ("export.txt", b'\n  {"kind": "person"}', Format.JSONL),
        ("export.txt", b"kind,external_id\n", Format.CSV),
    ],
)
def test_the_format_follows_the_extension_else_the_content(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    assert infer_format(path) == expected
