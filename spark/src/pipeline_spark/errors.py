"""Named errors of the Spark job.

The warm-mode protocol, the cold job's log and its error document report ``describe(error)``: the
class name (``error_type``, for a JVM exception the Java class's simple name), so these names are part
of the job's interface (docs/interfaces.md). Every error carries an optional ``cause``.
"""

import re
from typing import Any, Optional


class PipelineError(Exception):
    """Base class of every error the job raises on purpose."""

    def __init__(self, message: str, cause: Optional[BaseException] = None) -> None:
        super().__init__(message)
        self.cause = cause
        if cause is not None:
            self.__cause__ = cause


class ContractError(PipelineError):
    """The contract bundle is invalid, or a feed expression does not fit the source's typed schema."""


class ManifestError(PipelineError):
    """The run manifest does not have the documented shape."""


class InputError(PipelineError):
    """An input object cannot be found or listed."""


class ConservationError(PipelineError):
    """rows_read != rows_curated + rows_quarantined + duplicates (+ rows_filtered) for some file."""


# What a failure report says at most; the run record's error column holds 4096 bytes.
MAX_MESSAGE = 2000
_TRACEBACK_TAIL = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)): ?(.*)$")


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _clip(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "…"


def _python_worker_error(text: str) -> Optional[tuple[str, str]]:
    """The last ``Name: message`` line of a Python traceback (what a failing Python worker raised)."""
    found = None
    for line in text.splitlines():
        match = _TRACEBACK_TAIL.match(line.strip())
        if match:
            found = (match.group(1), match.group(2))
    return found


def _java(throwable: Any) -> tuple[str, str]:
    """The Java class and the first line of the message of a py4j ``JavaObject`` throwable."""
    name = str(throwable.getClass().getName())
    message = throwable.getMessage()
    return name, _first_line(str(message)) if message is not None else ""


def root_cause(error: BaseException) -> str:
    """``<Java class>: <first line>`` of the innermost cause of a failed Spark call (a corrupt gzip surfaces
    as ``java.io.EOFException`` under a SparkException), else the error's first line.

    >>> root_cause(py4j_error_of_a_truncated_gzip)
    'java.io.EOFException: Unexpected end of input stream'
    """
    throwable = getattr(error, "java_exception", None)
    if throwable is not None:
        try:
            while throwable.getCause() is not None and throwable.getCause() != throwable:
                throwable = throwable.getCause()
            name, message = _java(throwable)
            return f"{name}: {message}" if message else name
        except Exception:  # the gateway itself failed: fall back to the Python text
            pass
    return _first_line(str(error)) or type(error).__name__


def describe(error: BaseException) -> dict[str, Any]:
    """What the job reports about a failure (warm answers, the cold job's log line and error document).

    ``error_type`` is the exception's class name (for a JVM exception, the Java class's simple name),
    ``exception`` the name shown to people (the Java class's full name for a JVM exception), ``message``
    the first meaningful line of its message (never the Python traceback of a py4j call nor a log line),
    and ``retryable`` whether a fresh attempt may pass: only when the Spark session itself is gone (the
    JVM died or the SparkContext was stopped). Everything the job raises on data, contracts or the
    manifest fails the same way again.

    >>> describe(ContractError("source orders: feeds[0] (entity orders): map.order_id: ..."))
    {'error_type': 'ContractError', 'exception': 'ContractError', 'message': 'source orders: ...',
     'retryable': False}
    """
    from py4j.protocol import Py4JError, Py4JJavaError, Py4JNetworkError
    from pyspark.errors.exceptions.captured import CapturedException, PythonException

    error_type = type(error).__name__
    exception = error_type
    retryable = False
    try:
        if isinstance(error, PipelineError):
            message = str(error).strip()
        elif isinstance(error, PythonException):
            # A Python worker failed: its traceback's last line names what it raised.
            tail = _python_worker_error(error.desc)
            exception = "org.apache.spark.api.python.PythonException"
            message = f"{tail[0]}: {tail[1]}" if tail else _first_line(error.desc)
        elif isinstance(error, CapturedException):
            # A JVM exception PySpark converted (AnalysisException, ParseException, ...): its own
            # description, without the JVM stack trace str() appends.
            origin = getattr(error, "_origin", None)
            exception = str(origin.getClass().getName()) if origin is not None else error_type
            message = _first_line(error.desc)
        elif isinstance(error, Py4JJavaError):
            # str() would start with "An error occurred while calling o123.save." and a Java stack trace.
            exception, message = _java(error.java_exception)
            error_type = exception.rsplit(".", 1)[-1]
            retryable = "stopped SparkContext" in message
        elif isinstance(error, (Py4JNetworkError, Py4JError, ConnectionError, EOFError)):
            # The JVM is gone (or unreachable): a new Spark process may well pass.
            message = _first_line(str(error))
            retryable = True
        else:
            message = _first_line(str(error))
    except Exception:  # the JVM may be unusable while describing its own failure
        message = _first_line(str(error.args[0]) if error.args else "")
        retryable = isinstance(error, Py4JError)
    return {
        "error_type": error_type,
        "exception": exception,
        "message": _clip(message or error_type),
        "retryable": retryable,
    }
