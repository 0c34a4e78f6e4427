"""The pure-Python record parsers: every CSV/JSON quirk, exact values and line numbers."""

import gzip
import json

import pytest

from pipeline_spark.parsing import FilePlan, decode, parse_file

COLUMNS = ("id", "name", "price")


def plan(file_format: str = "csv", **options) -> FilePlan:
    compressed = options.pop("gzip", False)
    return FilePlan(file_idx=3, format=file_format, gzip=compressed, columns=COLUMNS, **options)


def records(content, file_plan: FilePlan):
    data = content.encode("utf-8") if isinstance(content, str) else content
    rows = list(parse_file(data, file_plan))
    note = rows[-1]
    assert note[1] == -1, "the last record of a file is its note"
    return [row[:6] for row in rows[:-1]], json.loads(note[6])


def test_csv_quoted_sometimes_embedded_newlines_commas_and_quotes():
    text = 'id,name,price\n1,"Ana, ""the"" best",12.50\n"2","multi\nline\nname",3\n3,plain,"7"\n'
    rows, note = records(text, plan())
    assert rows == [
        (3, 0, 2, None, None, ["1", 'Ana, "the" best', "12.50"]),
        (3, 1, 3, None, None, ["2", "multi\nline\nname", "3"]),
        (3, 2, 6, None, None, ["3", "plain", "7"]),
    ]
    assert note == {"error": None, "missing_columns": [], "unexpected_columns": []}


def test_csv_bom_crlf_and_missing_final_newline():
    text = '\ufeffid,name,price\r\n1,a,1.00\r\n2,"x\r\ny",2.00'
    rows, _ = records(text, plan())
    assert rows == [
        (3, 0, 2, None, None, ["1", "a", "1.00"]),
        (3, 1, 3, None, None, ["2", "x\r\ny", "2.00"]),
    ]


def test_csv_wrong_field_count_is_malformed_with_its_raw_text_and_line():
    text = "id,name,price\n1,a\n2,b,3,4\n3,c,5\n"
    rows, _ = records(text, plan())
    assert rows == [
        (3, 0, 2, "expected 3 fields, found 2", "1,a", None),
        (3, 1, 3, "expected 3 fields, found 4", "2,b,3,4", None),
        (3, 2, 4, None, None, ["3", "c", "5"]),
    ]


def test_csv_blank_lines_are_not_records_but_count_as_lines():
    rows, _ = records("id,name,price\n\n1,a,2\n\n", plan())
    assert rows == [(3, 0, 3, None, None, ["1", "a", "2"])]


def test_csv_unterminated_quote_is_one_malformed_record():
    rows, _ = records('id,name,price\n1,a,2\n2,"open,3\n4,b,5\n', plan())
    assert rows[0] == (3, 0, 2, None, None, ["1", "a", "2"])
    assert rows[1][:3] == (3, 1, 3)
    assert rows[1][3].startswith("unparseable CSV")
    assert rows[1][4] == '2,"open,3\n4,b,5'
    assert len(rows) == 2


def test_csv_header_matched_by_name_in_any_order_and_missing_columns_noted():
    rows, note = records("price,ID,extra\n1.5,7,x\n", plan())
    assert rows == [(3, 0, 2, None, None, ["7", None, "1.5"])]
    assert note["missing_columns"] == ["name"]
    assert note["unexpected_columns"] == ["extra"]


def test_csv_contract_options_delimiter_escape_encoding_and_no_header():
    content = '7;"Jos\\"e\xe9";1,5\n'.encode("latin-1")
    options = {"delimiter": ";", "escape": "\\", "encoding": "ISO-8859-1", "header": False}
    rows, _ = records(content, plan(**options))
    assert rows == [(3, 0, 1, None, None, ["7", 'Jos"e\xe9', "1,5"])]


def test_csv_invalid_utf8_bytes_reject_only_their_record():
    content = b"id,name,price\n1,caf\xe9,2\n2,ok,3\n"
    rows, _ = records(content, plan())
    assert rows[0][:4] == (3, 0, 2, "bytes that are not valid UTF-8")
    assert rows[0][4] == "1,caf\ufffd,2"
    assert rows[1] == (3, 1, 3, None, None, ["2", "ok", "3"])


def test_csv_nul_character_is_malformed_on_every_python_version():
    rows, _ = records("id,name,price\n1,a\x00b,2\n", plan())
    assert rows[0][3] == "NUL character in a field"


def test_gzip_by_plan_and_corrupt_gzip_is_a_file_error():
    rows, _ = records(gzip.compress(b"id,name,price\n1,a,2\n"), plan(gzip=True))
    assert rows == [(3, 0, 2, None, None, ["1", "a", "2"])]
    rows, note = records(b"not gzip at all", plan(gzip=True))
    assert rows == []
    assert note["error"].startswith("not a readable gzip file")


def test_jsonl_keeps_number_text_and_flags_bad_lines():
    text = (
        '{"id": 1, "name": "a", "price": 12.50}\n'
        "\n"
        '{"id": "2", "name": null, "price": 1e3, "other": true}\n'
        '["not", "an", "object"]\n'
        '{"id": 4, "name": "half\n'
        '{"id": 5, "name": {"nested": [1, 2]}, "price": false}\r\n'
    )
    rows, _ = records(text, plan("jsonl"))
    assert rows[0] == (3, 0, 1, None, None, ["1", "a", "12.50"])
    assert rows[1] == (3, 1, 3, None, None, ["2", None, "1e3"])
    assert rows[2] == (3, 2, 4, "not a JSON object", '["not", "an", "object"]', None)
    assert rows[3][:3] == (3, 3, 5)
    assert rows[3][3].startswith("invalid JSON")
    assert rows[4] == (3, 4, 6, None, None, ["5", '{"nested":[1,2]}', "false"])


@pytest.mark.parametrize(
    ("content", "encoding", "expected"),
    [
        (b"\xef\xbb\xbfa", "UTF-8", ("a", False)),
        (b"caf\xe9", "ISO-8859-1", ("caf\xe9", False)),
        (b"caf\xe9", "UTF-8", ("caf\udce9", True)),
    ],
)
def test_decode_strips_bom_and_marks_undecodable_bytes(content, encoding, expected):
    assert decode(content, plan(encoding=encoding)) == expected
