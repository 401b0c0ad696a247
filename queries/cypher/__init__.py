"""The query catalogue: every Cypher statement of the query side, as named ``LiteralString``
constants in modules by topic. ``from queries import cypher`` gives them all;
``tests/test_queries_cypher.py`` runs each one under EXPLAIN.

- ``partnership``: resolving input, paths, connect, brokerage, overlap, consortium
- ``browse``: lists, details, search, neighbourhoods of the API and the explorer
- ``stats``: counts of the graph by label, type and source
- ``workshop``: the workshop pack's region and organisation profiles
"""

from queries.cypher.browse import *  # noqa: F403
from queries.cypher.partnership import *  # noqa: F403
from queries.cypher.stats import *  # noqa: F403
from queries.cypher.workshop import *  # noqa: F403
