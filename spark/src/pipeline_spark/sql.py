"""Spark SQL text helpers: quoting identifiers and literals for expressions built as strings."""

from typing import Optional


def ident(name: str) -> str:
    """A backquoted identifier: ident("order id") -> '`order id`'."""
    return "`" + name.replace("`", "``") + "`"


def literal(value: Optional[str]) -> str:
    """A Spark SQL string literal (or NULL), escaped for the default (escape-processing) parser.

    >>> literal("it's")
    "'it\\\\'s'"
    """
    if value is None:
        return "NULL"
    escaped = value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
    return f"'{escaped}'"
