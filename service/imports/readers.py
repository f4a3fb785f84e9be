"""Streams the records of a JSONL or CSV file one at a time, with the line each starts on.

Files are read as bytes, one physical line at a time, so memory stays flat however long the file is, the
progress bar can follow the bytes consumed, and one undecodable or overlong line is rejected on its own
instead of ending the import. A line longer than `MAX_LINE_BYTES` is skipped to its end without being held.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from service.imports.options import Format

EXTENSIONS = {".jsonl": Format.JSONL, ".ndjson": Format.JSONL, ".json": Format.JSONL, ".csv": Format.CSV}
MAX_LINE_BYTES = 1024 * 1024
_SNIFF_BYTES = 4096


class UnusableFile(ValueError):
    """The file as a whole cannot be imported (its header or columns); nothing was written."""


@dataclass(frozen=True, slots=True)
class Line:
    """One record: the line it starts on, its fields (or why they could not be read), and the bytes it took."""

    number: int
    fields: dict[str, Any] | None
    error: str | None
    size: int


@dataclass(slots=True)
class Source:
    """The records of a file; `keys` are the CSV header or the first JSON object's keys (to tell the kind)."""

    format: Format
    columns: tuple[str, ...] | None
    keys: frozenset[str]
    lines: Iterator[Line]


def infer_format(path: Path) -> Format:
    """By extension; otherwise a file whose first non-blank character is `{` is JSONL, anything else CSV."""
    known = EXTENSIONS.get(path.suffix.lower())
    if known is not None:
        return known
    with path.open("rb") as stream:
        start = stream.read(_SNIFF_BYTES).lstrip(b"\xef\xbb\xbf \t\r\n")
    return Format.JSONL if start.startswith(b"{") else Format.CSV


def open_source(stream: BinaryIO, fmt: Format) -> Source:
    return _jsonl(stream) if fmt == Format.JSONL else _csv(stream)


def _physical_lines(stream: BinaryIO) -> Iterator[tuple[bytes | None, int]]:
    """(line, bytes consumed); the line is None when it exceeds MAX_LINE_BYTES (then read to its end, not kept)."""
    while chunk := stream.readline(MAX_LINE_BYTES + 1):
        if len(chunk) <= MAX_LINE_BYTES or chunk.endswith(b"\n"):
            yield chunk, len(chunk)
            continue
        size = len(chunk)
        while (rest := stream.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
            size += len(rest)
        yield None, size + len(rest)


def _jsonl(stream: BinaryIO) -> Source:
    lines = _jsonl_lines(stream)
    skipped: list[Line] = []
    keys: frozenset[str] = frozenset()
    for line in lines:
        skipped.append(line)
        if line.fields is not None or line.error is not None:
            keys = frozenset(line.fields or ())
            break
    return Source(format=Format.JSONL, columns=None, keys=keys, lines=chain(skipped, lines))


def _jsonl_lines(stream: BinaryIO) -> Iterator[Line]:
    for number, (raw, size) in enumerate(_physical_lines(stream), start=1):
        if raw is None:
            yield Line(number, None, f"longer than {MAX_LINE_BYTES} bytes", size)
            continue
        text = raw.removeprefix(b"\xef\xbb\xbf") if number == 1 else raw
        if not text.strip():
            yield Line(number, None, None, size)
            continue
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            yield Line(number, None, f"not valid JSON: {exc}", size)
            continue
        if not isinstance(value, dict):
            yield Line(number, None, f"not a JSON object (a JSON {_json_type(value)})", size)
            continue
        yield Line(number, value, None, size)


def _json_type(value: Any) -> str:
    return {list: "array", str: "string", bool: "boolean", type(None): "null"}.get(type(value), "number")


class _DecodedLines:
    """Feeds csv.reader decoded lines while counting bytes and noting which physical lines were not UTF-8."""

    def __init__(self, stream: BinaryIO) -> None:
        self._lines = _physical_lines(stream)
        self.consumed = 0
        self.number = 0
        self.bad: dict[int, str] = {}

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        raw, size = next(self._lines)
        self.number += 1
        self.consumed += size
        if raw is None:
            self.bad[self.number] = f"longer than {MAX_LINE_BYTES} bytes"
            return "\n"
        try:
            return raw.decode("utf-8-sig" if self.number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            self.bad[self.number] = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
            return raw.decode("utf-8", errors="replace")


def _csv(stream: BinaryIO) -> Source:
    decoded = _DecodedLines(stream)
    reader = csv.reader(decoded, strict=True)
    try:
        header = next(reader, [])
    except csv.Error as exc:
        raise UnusableFile(f"line 1: the CSV header cannot be read: {exc}") from exc
    if decoded.bad:
        raise UnusableFile(f"line 1: the CSV header is {decoded.bad[1]}")
    columns = tuple(name.strip().lower() for name in header)
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        raise UnusableFile(f"line 1: the CSV header names {', '.join(duplicates)} more than once")
    return Source(
        format=Format.CSV, columns=columns, keys=frozenset(columns), lines=_csv_lines(reader, decoded, columns)
    )


def _csv_lines(reader: Any, decoded: _DecodedLines, columns: tuple[str, ...]) -> Iterator[Line]:
    while True:
        start, before = decoded.number + 1, decoded.consumed
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Line(start, None, f"not valid CSV: {exc}", decoded.consumed - before)
            continue
        size = decoded.consumed - before
        bad = [decoded.bad.pop(n) for n in range(start, decoded.number + 1) if n in decoded.bad]
        if bad:
            yield Line(start, None, bad[0], size)
        elif not any(cell.strip() for cell in cells):
            yield Line(start, None, None, size)
        elif len(cells) > len(columns):
            yield Line(start, None, f"has {len(cells)} cells but the header names {len(columns)} columns", size)
        else:
            yield Line(start, dict(zip(columns, cells, strict=False)), None, size)
