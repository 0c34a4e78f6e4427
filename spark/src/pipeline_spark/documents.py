"""The exchanged documents' schemas (exported from ``src/documents`` as JSON Schema) and a small validator.

The TypeScript side owns the definitions (zod, ``src/documents/``); ``scripts/export-document-schemas.ts``
writes them into ``schemas/`` here, inside the package, so that the EMR zip carries them. The validator
understands the subset of JSON Schema those exports use and refuses any other keyword, so a schema that
grows a new kind of constraint fails a test instead of passing unchecked. Pure Python (3.9, no packages).
"""

import json
import pkgutil
import re
from functools import cache
from typing import Any, Callable

# Keywords that describe and never constrain.
_ANNOTATIONS = frozenset(("$schema", "description", "default", "examples", "format", "title"))
_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
_KNOWN = _ANNOTATIONS | frozenset(
    (
        "type",
        "properties",
        "required",
        "additionalProperties",
        "propertyNames",
        "items",
        "minItems",
        "anyOf",
        "oneOf",
        "enum",
        "const",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "exclusiveMinimum",
        "maximum",
    )
)


class DocumentError(ValueError):
    """A document that its schema refuses: ``path`` is where (``inputs[0].version``), ``problem`` what."""

    def __init__(self, path: str, problem: str):
        super().__init__(f"{path or '(root)'}: {problem}")
        self.path = path
        self.problem = problem


@cache
def schema(name: str) -> dict[str, Any]:
    """The exported JSON Schema ``schemas/<name>.json`` (read from the package, so also from the EMR zip)."""
    data = pkgutil.get_data(__name__, f"schemas/{name}.json")
    if data is None:
        raise FileNotFoundError(f"pipeline_spark/schemas/{name}.json")
    return json.loads(data)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _problems(node: dict[str, Any], value: Any, path: str) -> list[DocumentError]:
    try:
        check(node, value, path)
    except DocumentError as error:
        return [error]
    return []


def _closest(failures: list[DocumentError], path: str) -> DocumentError:
    """The problem of the option that matched furthest (a union's variant by its tag), else a summary."""
    deepest = max(failures, key=lambda failure: len(failure.path))
    return deepest if deepest.path != path else DocumentError(path, "matches none of the allowed shapes")


def check(node: dict[str, Any], value: Any, path: str = "") -> None:
    """Raises ``DocumentError`` at the first place ``value`` breaks the schema ``node``.

    >>> check({"type": "object", "required": ["run_id"]}, {})
    Traceback (most recent call last):
    DocumentError: (root): missing required field run_id
    """
    unknown = set(node) - _KNOWN
    if unknown:
        raise ValueError(f"schema at {path or '(root)'}: unsupported keywords {sorted(unknown)}")
    for keyword in ("anyOf", "oneOf"):
        if keyword not in node:
            continue
        failures = [p for option in node[keyword] for p in _problems(option, value, path)]
        matched = len(node[keyword]) - len(failures)
        if matched == 0:
            raise _closest(failures, path)
        if keyword == "oneOf" and matched > 1:
            raise DocumentError(path, f"matches {matched} of the allowed shapes, not exactly one")
    if "type" in node:
        allowed = node["type"] if isinstance(node["type"], list) else [node["type"]]
        if not any(_TYPES[kind](value) for kind in allowed):
            raise DocumentError(path, f"expected {' or '.join(allowed)}, got {type(value).__name__}")
    if "const" in node and value != node["const"]:
        raise DocumentError(path, f"must be {node['const']!r}")
    if "enum" in node and value not in node["enum"]:
        raise DocumentError(path, f"must be one of {node['enum']}")
    if isinstance(value, str):
        if len(value) < node.get("minLength", 0):
            raise DocumentError(path, f"must have at least {node['minLength']} characters")
        if "maxLength" in node and len(value) > node["maxLength"]:
            raise DocumentError(path, f"must have at most {node['maxLength']} characters")
        if "pattern" in node and not re.search(node["pattern"], value):
            raise DocumentError(path, f"must match {node['pattern']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in node and value < node["minimum"]:
            raise DocumentError(path, f"must be at least {node['minimum']}")
        if "exclusiveMinimum" in node and value <= node["exclusiveMinimum"]:
            raise DocumentError(path, f"must be more than {node['exclusiveMinimum']}")
        if "maximum" in node and value > node["maximum"]:
            raise DocumentError(path, f"must be at most {node['maximum']}")
    if isinstance(value, list):
        if len(value) < node.get("minItems", 0):
            raise DocumentError(path, f"must have at least {node['minItems']} items")
        if "items" in node:
            for index, item in enumerate(value):
                check(node["items"], item, f"{path}[{index}]")
    if isinstance(value, dict):
        _check_object(node, value, path)


def _check_object(node: dict[str, Any], value: dict[str, Any], path: str) -> None:
    for key in node.get("required", ()):
        if key not in value:
            raise DocumentError(path, f"missing required field {key}")
    properties = node.get("properties", {})
    extra = node.get("additionalProperties", True)
    for key, item in value.items():
        if "propertyNames" in node:
            check(node["propertyNames"], key, _join(path, key))
        if key in properties:
            check(properties[key], item, _join(path, key))
        elif extra is False:
            raise DocumentError(_join(path, key), "is not a field of this document")
        elif isinstance(extra, dict):
            check(extra, item, _join(path, key))


def validate(name: str, document: Any) -> None:
    """Checks ``document`` against the exported schema ``name`` (manifest, bundle, metrics, ...).

    >>> validate("manifest", {"run_id": "run-1"})
    Traceback (most recent call last):
    DocumentError: (root): missing required field started_at
    """
    check(schema(name), document)


def parse(name: str, text: str, error: Callable[[str, BaseException], Exception], what: str) -> Any:
    """JSON ``text`` checked against the schema ``name``; a problem raises ``error`` naming ``what`` and the
    path.

    >>> parse("manifest", "{}", ManifestError, "run manifest")
    Traceback (most recent call last):
    ManifestError: run manifest: (root): missing required field run_id
    """
    try:
        document = json.loads(text)
    except ValueError as problem:
        raise error(f"{what}: not valid JSON: {problem}", problem) from problem
    try:
        validate(name, document)
    except DocumentError as problem:
        raise error(f"{what}: {problem}", problem) from problem
    return document
