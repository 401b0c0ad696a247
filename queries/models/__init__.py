"""The result models of the query side (what the API returns as JSON and ``--json`` prints):
``partnership`` for paths, connect, brokers, overlap and consortium; ``browse`` for lists,
details, search hits and drawn subgraphs."""

from queries.models.browse import *  # noqa: F403
from queries.models.partnership import *  # noqa: F403
