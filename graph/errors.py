"""The error tree of s3graph: every message names what the user can do about it.

Each class says what it means and what to do. The HTTP service maps the tree to status codes in
one place (``api/errors.py``), the command line to exit codes and one-line messages in one place
(``cli/errors.py``).

    S3GraphError
    ├── ConfigurationError    a setting is missing or wrong             CLI 1, HTTP 400
    ├── BadInput              input that means nothing or is too large  CLI 1, HTTP 422
    ├── NotFound              no such region, organisation, domain ...  CLI 1, HTTP 404
    ├── QueryTimeout          a query ran past S3GRAPH_QUERY_TIMEOUT    CLI 1, HTTP 504
    ├── DatabaseUnavailable   Neo4j cannot be reached                   CLI 1, HTTP 503
    ├── AuthenticationFailed  Neo4j refused the credentials             CLI 1, HTTP 503
    ├── WriteRefused          Neo4j refused a write during a load       CLI 1
    ├── LocalServerError      the local Neo4j could not build/start/stop CLI 1
    └── SourceFormatError     a source file is wholly wrong             CLI 1
"""


class S3GraphError(Exception):
    """Base of every error s3graph reports to a user as one line (no traceback)."""


class ConfigurationError(S3GraphError):
    """A setting is missing or wrong (an unknown source name, a call without rules).

    What to do: correct the setting or argument the message names.
    """


class BadInput(S3GraphError, ValueError):
    """Input that passes the type checks but means nothing or is out of bounds: an unknown
    country, a value outside its allowed range or set, too many regions.

    What to do: change the argument the message names (it says the allowed values).
    """


class NotFound(S3GraphError):
    """A region, organisation, domain or other thing asked for does not exist.

    ``suggestions`` carries close matches so the user can correct the input.
    What to do: pick one of the suggestions, or check the spelling or code.
    """

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = suggestions or []


class QueryTimeout(S3GraphError):
    """A query ran longer than the server-side timeout (S3GRAPH_QUERY_TIMEOUT).

    What to do: narrow the question (fewer hops, a domain, a smaller k) or raise the timeout.
    """


class DatabaseUnavailable(S3GraphError):
    """Neo4j cannot be reached (not started, killed, wrong address).

    What to do: `s3graph db start` for the local server, or check NEO4J_URI; the service
    reconnects by itself once Neo4j is back.
    """


class AuthenticationFailed(S3GraphError):
    """Neo4j refused the credentials.

    What to do: set NEO4J_USER / NEO4J_PASSWORD to the database's credentials.
    """


class WriteRefused(S3GraphError):
    """Neo4j refused a write during a load (not a lost connection: that is DatabaseUnavailable).

    What to do: read the Neo4j message in the error; the batches before it are committed and
    loading the source again completes it without duplicates.
    """


class LocalServerError(S3GraphError):
    """The project's own local Neo4j could not be built, started or stopped.

    What to do: the message names the cause (Java or Maven missing, port taken) and the log file.
    """


class SourceFormatError(S3GraphError):
    """A source file is wholly wrong (HTML instead of CSV, empty, unknown schema).

    What to do: check the file given with --file is the export the message names; the graph
    was not changed.
    """
