"""Pure-Python record parsers for raw files: bytes in, one tuple of text values per record out.

Spark's CSV reader cannot report the physical line a record starts on, and it types values as it
reads them; this module does neither. Each record becomes::

    (file_idx, record_seq, source_line, malformed, raw_record, values, file_note)

``values`` holds the raw text of each contract column in contract order (None where the file has
no such column, or for a malformed record); ``malformed`` says why a record cannot be split into the
contract's columns; ``raw_record`` is the record's text, kept only for malformed records. Every file
also yields one note record (``record_seq`` -1) with a JSON ``file_note``: a file-level error (bad
gzip, unknown format) and the header's missing/unexpected columns, so nothing about a file is lost.

The functions here run on executors inside ``mapPartitions``; they import nothing from Spark.
"""

import csv
import gzip
import io
import json
import re
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple, Optional

csv.field_size_limit(2**31 - 1)

Record = tuple[
    int, int, Optional[int], Optional[str], Optional[str], Optional[list[Optional[str]]], Optional[str]
]

_SURROGATE = re.compile("[\udc80-\udcff]")


class FilePlan(NamedTuple):
    """How to parse one input file (picklable: it travels to the executors)."""

    file_idx: int
    format: str  # csv | jsonl
    gzip: bool
    columns: tuple[str, ...]
    encoding: str = "UTF-8"
    header: bool = True
    delimiter: str = ","
    quote: str = '"'
    escape: str = '"'


class FileError(Exception):
    """The file as a whole cannot be read (corrupt gzip, undecodable)."""


def decode(content: bytes, plan: FilePlan) -> tuple[str, bool]:
    """Decompresses by extension and decodes by the contract's encoding; strips a leading BOM.

    Returns (text, has_undecodable_bytes). Undecodable bytes are kept as surrogates so that only
    the records holding them are rejected, not the whole file.
    """
    if plan.gzip:
        try:
            content = gzip.decompress(content)
        except (OSError, EOFError, ValueError) as error:
            raise FileError(f"not a readable gzip file: {error}") from error
    try:
        text = content.decode(plan.encoding)
        bad = False
    except UnicodeDecodeError:
        text = content.decode(plan.encoding, errors="surrogateescape")
        bad = True
    except LookupError as error:
        raise FileError(f"unknown encoding {plan.encoding}") from error
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, bad


def _note(plan: FilePlan, **fields: Any) -> Record:
    note = {"error": None, "missing_columns": [], "unexpected_columns": []}
    note.update(fields)
    return (plan.file_idx, -1, None, None, None, None, json.dumps(note, sort_keys=True))


def _strip_line_end(text: str) -> str:
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text


def _header_positions(
    header: Sequence[str], columns: Sequence[str]
) -> tuple[list[int], list[str], list[str]]:
    """Maps each contract column onto a header position: exact name, else case/space-insensitive."""
    exact = {}
    loose = {}
    for position, name in enumerate(header):
        exact.setdefault(name, position)
        loose.setdefault(name.strip().lower(), position)
    positions = []
    missing = []
    for column in columns:
        position = exact.get(column, loose.get(column.strip().lower(), -1))
        positions.append(position)
        if position < 0:
            missing.append(column)
    used = set(positions)
    unexpected = [name for position, name in enumerate(header) if position not in used]
    return positions, missing, unexpected


def parse_csv(text: str, plan: FilePlan, bad_bytes: bool = False) -> Iterator[Record]:
    """Yields one record per CSV record (quoted fields may span lines), then the file note.

    >>> list(parse_csv('a,b\\n1,"x\\ny"\\n', FilePlan(0, "csv", False, ("a", "b"))))[0]
    (0, 0, 2, None, None, ['1', 'x\\ny'], None)
    """
    lines = io.StringIO(text, newline="\n").readlines()
    reader = csv.reader(
        lines,
        delimiter=plan.delimiter,
        quotechar=plan.quote,
        escapechar=None if plan.escape == plan.quote else plan.escape,
        doublequote=True,
        strict=True,
    )
    width = len(plan.columns)
    positions: Optional[list[int]] = None if plan.header else list(range(width))
    header_width = width
    identity = not plan.header
    check_nul = "\x00" in text
    previous = 0
    sequence = 0
    missing: list[str] = []
    unexpected: list[str] = []
    while True:
        try:
            fields = next(reader)
            error = None
        except StopIteration:
            break
        except csv.Error as failure:
            fields = None
            error = f"unparseable CSV: {failure}"
        start = previous + 1
        previous = reader.line_num
        if fields is not None and not fields:
            continue  # a blank line is not a record
        if positions is None:
            if fields is None:
                yield _note(plan, error=f"header: {error}")
                return
            positions, missing, unexpected = _header_positions(fields, plan.columns)
            header_width = len(fields)
            identity = positions == list(range(width)) and header_width == width
            continue
        if error is None:
            if len(fields) != header_width:
                error = f"expected {header_width} fields, found {len(fields)}"
            elif check_nul and any("\x00" in field for field in fields):
                error = "NUL character in a field"
            elif bad_bytes and any(_SURROGATE.search(field) for field in fields):
                error = f"bytes that are not valid {plan.encoding}"
        if error is not None:
            raw = _strip_line_end("".join(lines[start - 1 : previous]))
            if bad_bytes:
                raw = _SURROGATE.sub("\ufffd", raw)
            yield (plan.file_idx, sequence, start, error, raw, None, None)
        elif identity:
            yield (plan.file_idx, sequence, start, None, None, fields, None)
        else:
            values = [fields[p] if p >= 0 else None for p in positions]
            yield (plan.file_idx, sequence, start, None, None, values, None)
        sequence += 1
    yield _note(plan, missing_columns=missing, unexpected_columns=unexpected)


class _Number(str):
    """A JSON number kept as its source text."""


def _compact(value: Any) -> str:
    if isinstance(value, _Number):
        return str(value)
    if isinstance(value, dict):
        items = (f"{json.dumps(k, ensure_ascii=False)}:{_compact(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_compact(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _json_text(value: Any) -> Optional[str]:
    """A JSON value as text: strings and numbers as written, other values as compact JSON."""
    if value is None or isinstance(value, str):
        return None if value is None else str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return _compact(value)


def parse_jsonl(text: str, plan: FilePlan, bad_bytes: bool = False) -> Iterator[Record]:
    """Yields one record per non-blank line; numbers keep their source text ('12.50' stays '12.50').

    >>> list(parse_jsonl('{"a": 1.50}\\n', FilePlan(0, "jsonl", False, ("a",))))[0]
    (0, 0, 1, None, None, ['1.50'], None)
    """
    sequence = 0
    columns = plan.columns
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        error = None
        document = None
        try:
            document = json.loads(line, parse_float=_Number, parse_int=_Number, parse_constant=_Number)
            if not isinstance(document, dict):
                error = "not a JSON object"
        except ValueError as failure:
            error = f"invalid JSON: {failure}"
        if error is None and bad_bytes and _SURROGATE.search(line):
            error = f"bytes that are not valid {plan.encoding}"
        if error is not None:
            raw = line[:-1] if line.endswith("\r") else line
            yield (plan.file_idx, sequence, number, error, _SURROGATE.sub("\ufffd", raw), None, None)
        else:
            values = [_json_text(document.get(column)) for column in columns]
            yield (plan.file_idx, sequence, number, None, None, values, None)
        sequence += 1
    yield _note(plan)


def parse_file(content: bytes, plan: FilePlan) -> Iterator[Record]:
    """Parses one whole file by its plan; a file-level failure becomes the file's note."""
    try:
        text, bad = decode(content, plan)
    except FileError as error:
        yield _note(plan, error=str(error))
        return
    if plan.format == "csv":
        yield from parse_csv(text, plan, bad)
    elif plan.format == "jsonl":
        yield from parse_jsonl(text, plan, bad)
    else:
        yield _note(plan, error=f"format {plan.format} is not parsed as text")
