"""The error tree of s3graph: every message names what the user can do about it."""


class S3GraphError(Exception):
    """Base of every error s3graph reports to a user as one line (no traceback)."""


class ConfigurationError(S3GraphError):
    """A setting is missing or wrong."""


class DatabaseUnavailable(S3GraphError):
    """Neo4j cannot be reached (not started, killed, wrong address)."""


class AuthenticationFailed(S3GraphError):
    """Neo4j refused the credentials."""


class WriteRefused(S3GraphError):
    """Neo4j refused a write during a load (not a lost connection: that is DatabaseUnavailable)."""


class LocalServerError(S3GraphError):
    """The project's own local Neo4j could not be built, started or stopped."""


class NotFound(S3GraphError):
    """A region, organisation, domain or other thing asked for does not exist.

    ``suggestions`` carries close matches so the user can correct the input.
    """

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = suggestions or []


class SourceFormatError(S3GraphError):
    """A source file is wholly wrong (HTML instead of CSV, empty, unknown schema)."""
