"""The native read path: Spark's text source, line numbers derived in the JVM, every csv/json quirk."""

import gzip
import json
from pathlib import Path
from typing import Optional

import pytest

from pipeline_spark.contracts import CsvOptions, Source, SourceColumn
from pipeline_spark.reading import (
    MISPLACED_QUOTE,
    SPANS_LINES,
    TextFile,
    read_text_source,
    scan_text_sources,
)

COLUMNS = ("id", "name", "price")


def source(types: tuple[str, ...] = ("string", "string", "string"), **csv_options) -> Source:
    options = {"header": True, "delimiter": ",", "quote": '"', "escape": '"', "encoding": "UTF-8"}
    options.update(csv_options)
    return Source(
        source="t",
        formats=("csv", "jsonl"),
        csv=CsvOptions(**options),
        null_values=("",),
        columns=tuple(SourceColumn(name, kind, None, False) for name, kind in zip(COLUMNS, types)),
        event_time=None,
        feeds=(),
        quality=(),
    )


def write(tmp_path: Path, content, name: str = "f.csv") -> Path:
    path = tmp_path / name
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


def read_files(spark, contract: Source, paths: list[Path]):
    """(records, notes): records as (file, line, malformed, raw, values) sorted; notes by file."""
    files = []
    for index, path in enumerate(paths):
        kind = "jsonl" if ".jsonl" in path.name else "csv"
        # Percent-encoded, as the local stage writes file URIs (Node's pathToFileURL).
        files.append(TextFile(index, path.absolute().as_uri(), kind, path.name.endswith(".gz")))
    scans = scan_text_sources(spark, {"t": (contract, files)})
    rows = []
    for frame in read_text_source(spark, scans["t"]):
        rows.extend(frame.collect())
    records = sorted(
        (row["_file_idx"], row["_source_line"], row["_malformed"], row["_raw_record"], row["_values"])
        for row in rows
        if row["_record_seq"] >= 0
    )
    notes = {row["_file_idx"]: json.loads(row["_file_note"]) for row in rows if row["_record_seq"] < 0}
    return records, notes


def read_one(spark, tmp_path, content, contract: Optional[Source] = None, name: str = "f.csv"):
    records, notes = read_files(spark, contract or source(), [write(tmp_path, content, name)])
    return [record[1:] for record in records], notes[0]


def test_quoted_sometimes_with_delimiters_and_doubled_quotes(spark, tmp_path):
    text = 'id,name,price\n1,"Ana, ""the"" best",12.50\n"2",x,3\n3,plain,"7"\n4,,\n,"",""\n,,"q"\n'
    rows, note = read_one(spark, tmp_path, text)
    assert rows == [
        (2, None, None, ["1", 'Ana, "the" best', "12.50"]),
        (3, None, None, ["2", "x", "3"]),
        (4, None, None, ["3", "plain", "7"]),
        (5, None, None, ["4", "", ""]),
        (6, None, None, ["", "", ""]),
        (7, None, None, ["", "", "q"]),
    ]
    assert note == {
        "error": None,
        "missing_columns": [],
        "unexpected_columns": [],
        "lines": {
            "physical": 7,
            "header": 1,
            "blank": 0,
            "in_multiline_records": 0,
            "multiline_records": 0,
            "records": 6,
            "blank_in_multiline_records": 0,
        },
    }


def test_physical_lines_balance_with_blank_lines_and_records_that_span_lines(spark, tmp_path):
    # Blank lines before the header, between records and inside a quoted field that spans lines.
    text = '\n\nid,name,price\n1,a,2\n\n2,"two\n\nlines",3\r\n\r\n3,c,4\n'
    contract = source(multiline=True)
    rows, note = read_one(spark, tmp_path, text, contract)
    assert [row[0] for row in rows] == [4, 6, 10]
    assert note["lines"] == {
        "physical": 10,
        "header": 3,
        "blank": 2,
        "in_multiline_records": 3,
        "multiline_records": 1,
        "records": 3,
        "blank_in_multiline_records": 1,
    }
    jsonl = '{"id": 1}\n  \n{"id": 2}\n\n'
    _, note = read_one(spark, tmp_path, jsonl, source(("int", "string", "decimal(12,2)")), name="f.jsonl")
    assert note["lines"]["physical"] == 4
    assert (note["lines"]["blank"], note["lines"]["records"]) == (2, 2)


def test_a_record_spanning_lines_is_malformed_unless_the_contract_allows_it(spark, tmp_path):
    text = 'id,name,price\n1,"multi\nline\nname",3\n2,b,4\n'
    rows, _ = read_one(spark, tmp_path, text)
    # Fast path: the opening line is malformed (never merged); each other line stands on its own.
    assert rows[0] == (2, SPANS_LINES, '1,"multi', None)
    assert rows[1][:2] == (3, "wrong number of fields for the header")
    assert rows[2][:2] == (4, "wrong number of fields for the header")  # 'name"' is an unquoted field
    assert rows[3] == (5, None, None, ["2", "b", "4"])
    joined, _ = read_one(spark, tmp_path, text, source(multiline=True))
    assert joined == [(2, None, None, ["1", "multi\nline\nname", "3"]), (5, None, None, ["2", "b", "4"])]


def test_bom_crlf_missing_final_newline_and_crlf_inside_a_joined_record(spark, tmp_path):
    text = '\ufeffid,name,price\r\n1,a,1.00\r\n2,"x\r\ny",2.00'
    rows, _ = read_one(spark, tmp_path, text, source(multiline=True))
    assert rows == [(2, None, None, ["1", "a", "1.00"]), (3, None, None, ["2", "x\r\ny", "2.00"])]


def test_wrong_field_count_and_misplaced_quotes_are_malformed_with_raw_text_and_line(spark, tmp_path):
    text = 'id,name,price\n1,a\n2,b,3,4\n3,"c"x,5\n4,12" screen,6\n5,c,5\n'
    rows, _ = read_one(spark, tmp_path, text)
    assert rows == [
        (2, "wrong number of fields for the header", "1,a", None),
        (3, "wrong number of fields for the header", "2,b,3,4", None),
        (4, MISPLACED_QUOTE, '3,"c"x,5', None),
        (5, None, None, ["4", '12" screen', "6"]),  # a quote inside an unquoted field is text
        (6, None, None, ["5", "c", "5"]),
    ]


def test_blank_lines_are_not_records_but_count_as_lines(spark, tmp_path):
    rows, _ = read_one(spark, tmp_path, "\nid,name,price\n\n1,a,2\n\r\n3,b,4\n\n")
    assert rows == [(4, None, None, ["1", "a", "2"]), (6, None, None, ["3", "b", "4"])]


def test_an_unclosed_quote_in_a_multiline_contract_does_not_swallow_the_rest(spark, tmp_path):
    rows, _ = read_one(spark, tmp_path, 'id,name,price\n1,a,2\n2,"open,3\n4,b,5\n', source(multiline=True))
    assert rows == [
        (2, None, None, ["1", "a", "2"]),
        (3, SPANS_LINES, '2,"open,3', None),
        (4, None, None, ["4", "b", "5"]),
    ]


def test_header_matched_by_name_in_any_order_and_missing_columns_noted(spark, tmp_path):
    rows, note = read_one(spark, tmp_path, "price,ID,extra\n1.5,7,x\n")
    assert rows == [(2, None, None, ["7", None, "1.5"])]
    assert note["missing_columns"] == ["name"]
    assert note["unexpected_columns"] == ["extra"]


def test_files_with_different_headers_in_one_source(spark, tmp_path):
    first = write(tmp_path, "id,name,price\n1,a,2\n", "a.csv")
    second = write(tmp_path, "price,id\n9,2\n", "b.csv")
    records, notes = read_files(spark, source(), [first, second])
    assert [record[4] for record in records] == [["1", "a", "2"], ["2", None, "9"]]
    assert notes[1]["missing_columns"] == ["name"]


def test_contract_options_delimiter_escape_encoding_and_no_header(spark, tmp_path):
    content = '7;"Jos\\"e\xe9";1,5\n8;"a;b";2\n'.encode("latin-1")
    options = {"delimiter": ";", "escape": "\\", "encoding": "ISO-8859-1", "header": False}
    rows, _ = read_one(spark, tmp_path, content, source(**options))
    assert rows == [(1, None, None, ["7", 'Jos"e\xe9', "1,5"]), (2, None, None, ["8", "a;b", "2"])]


def test_invalid_utf8_bytes_and_nul_reject_only_their_record(spark, tmp_path):
    content = b"id,name,price\n1,caf\xe9,2\n2,ok,3\n3,a\x00b,4\n"
    rows, _ = read_one(spark, tmp_path, content)
    assert rows[0] == (2, "bytes that are not valid UTF-8", "1,caf\ufffd,2", None)
    assert rows[1] == (3, None, None, ["2", "ok", "3"])
    assert rows[2][:2] == (4, "NUL character in a field")


def test_gzip_is_read_and_a_corrupt_or_misnamed_file_is_a_file_error(spark, tmp_path):
    good = write(tmp_path, "id,name,price\n1,a,2\n", "good.csv.gz")
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(gzip.compress(b"id,name,price\n" + b"1,a,2\n" * 5000)[:-40])
    records, notes = read_files(spark, source(), [good, broken])
    assert [record[:2] for record in records] == [(0, 2)]
    assert notes[0]["error"] is None
    assert notes[1]["error"].startswith("not a readable gzip file: java.io.EOFException")


def test_jsonl_values_as_text_nested_values_and_bad_lines_flagged(spark, tmp_path):
    text = (
        '{"id": 1, "name": "a", "price": 12.50}\n'
        "\n"
        '{"id": "2", "name": "{\\"k\\": [1]}", "price": 1.2345E7}\r\n'
        "[1, 2]\n"
        '{"id": 3, "name": "cut'
        "\n"
        '{"id": 4, "name": null, "price": true}\n'
        '{"id": 5} trailing\n' + NESTED + "\n"
        '{"id": 6, "name": "a", "id": 7}\n'
    )
    contract = source(("int", "string", "decimal(12,2)"))
    rows, note = read_one(spark, tmp_path, text, contract, name="f.jsonl")
    assert rows == [
        (1, None, None, ["1", "a", "12.5"]),
        (3, None, None, ["2", '{"k": [1]}', "12345000.000000000000000000"]),
        (4, "not a JSON object", "[1, 2]", None),
        (5, "invalid JSON", '{"id": 3, "name": "cut', None),
        (6, None, None, ["4", None, "true"]),
        (7, "invalid JSON", '{"id": 5} trailing', None),
        (8, "column name holds a JSON object or array, not a scalar value", NESTED, None),
        (9, "duplicate JSON key: id", '{"id": 6, "name": "a", "id": 7}', None),
    ]
    assert note["error"] is None


NESTED = '{"id": "8", "name": {"k": [1, "x"]}, "price": 1}'


def test_a_file_split_across_tasks_keeps_exact_line_numbers(spark, tmp_path):
    lines = ["id,name,price"]
    expected = {}
    for number in range(2, 6002):
        if number % 997 == 0:
            lines.append(f'{number},"spans\nlines",1')  # crosses a split boundary somewhere
            expected[number] = [str(number), "spans\nlines", "1"]
            continue
        if number - 1 in expected and expected[number - 1][1] == "spans\nlines":
            continue
        lines.append(f"{number},n{number},{number % 7}")
    text = "\n".join(lines) + "\n"
    # Line numbers as a reader of the file counts them.
    physical = {}
    for position, line in enumerate(text.split("\n"), start=1):
        if line and line[0].isdigit():
            physical[int(line.split(",")[0])] = position
    previous = spark.conf.get("spark.sql.files.maxPartitionBytes")
    spark.conf.set("spark.sql.files.maxPartitionBytes", "8192")
    try:
        path = write(tmp_path, text)
        contract = source(multiline=True)
        scans = scan_text_sources(spark, {"t": (contract, [TextFile(0, path.as_uri(), "csv", False)])})
        assert len(scans["t"].layouts[0].blocks) > 5, "the file is read in several splits"
        records, _ = read_files(spark, contract, [path])
    finally:
        spark.conf.set("spark.sql.files.maxPartitionBytes", previous)
    assert all(record[2] is None for record in records)
    assert {int(record[4][0]): record[1] for record in records} == physical
    joined = {int(record[4][0]): record[4] for record in records if "\n" in record[4][1]}
    assert joined == expected


@pytest.mark.parametrize(
    "name",
    ["a b%20c.csv", "why?.csv", "star-*.csv", "br[ack]et{s}.csv", "são paulo ünï.csv", "back\\slash.csv"],
)
def test_awkward_file_names_are_read_literally_and_once(spark, tmp_path, name):
    awkward = write(tmp_path, "id,name,price\n1,awkward,2\n", name)
    neighbour = write(tmp_path, "id,name,price\n2,neighbour,3\n", "star-1.csv")
    records, notes = read_files(spark, source(), [awkward, neighbour])
    assert [(record[0], record[4][1]) for record in records] == [(0, "awkward"), (1, "neighbour")]
    assert notes[0]["error"] is None


def test_many_multiline_records_are_joined_through_a_join_instead_of_a_literal_map(
    spark, tmp_path, monkeypatch
):
    import pipeline_spark.reading as reading

    text = 'id,name,price\n1,"multi\nline",3\n2,b,4\n3,"x\r\ny",5\n'
    expected, _ = read_one(spark, tmp_path, text, source(multiline=True))
    monkeypatch.setattr(reading, "MAX_LOOKUP_ENTRIES", 0)
    joined, _ = read_one(spark, tmp_path, text, source(multiline=True))
    assert joined == expected
    assert [row[0] for row in joined] == [2, 4, 5]


def test_utf16_text_a_header_naming_a_column_twice_or_none_reject_the_file(spark, tmp_path):
    files = [
        write(tmp_path, "\ufeffid,name,price\n1,a,2\n".encode("utf-16-le"), "utf16le.csv"),
        write(tmp_path, "\ufeffid,name,price\n1,a,2\n".encode("utf-16-be"), "utf16be.csv"),
        write(tmp_path, "id,name,ID,price\n1,a,1,2\n", "twice.csv"),
        write(tmp_path, "id;name;price\n1;a;2\n", "semicolons.csv"),
        write(tmp_path, "1,a,2\n2,b,3\n", "no-header.csv"),
        write(tmp_path, "id,name,price\n1,a,2\n", "good.csv"),
    ]
    records, notes = read_files(spark, source(), files)
    assert [record[:2] for record in records] == [(5, 2)]
    assert (
        notes[0]["error"] == "UTF-16 text (it starts with a UTF-16 byte order mark): save the file as UTF-8"
    )
    assert notes[1]["error"] == notes[0]["error"]
    assert notes[2]["error"] == (
        "header: column id appears 2 times (fields 1, 3): which one is the column is ambiguous"
    )
    assert notes[3]["error"].startswith(
        "header: none of the contract's columns is in the first line ('id;name;price')"
    )
    assert "is the delimiter ',' right" in notes[3]["error"]
    assert notes[4]["error"].startswith(
        "header: none of the contract's columns is in the first line ('1,a,2')"
    )


def test_two_json_objects_on_one_line_are_malformed_but_brackets_inside_strings_are_not(spark, tmp_path):
    text = (
        '{"id": 1, "name": "a"}{"id": 2, "name": "b"}\n'
        '{"id": 3, "name": "x} {y"}\n'
        '{"id": 4, "name": "a"} [1]\n'
    )
    rows, _ = read_one(spark, tmp_path, text, name="f.jsonl")
    assert [(row[0], row[1]) for row in rows] == [
        (1, "more than one JSON value on the line"),
        (2, None),
        (3, "invalid JSON"),
    ]
