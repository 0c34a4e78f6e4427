"""Named errors of the Spark job.

The warm-mode protocol and the workflow report ``type(error).__name__``, so these names are part of
the job's interface (docs/interfaces.md). Every error carries an optional ``cause``.
"""

from typing import Optional


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
