"""Headers the HTTP service adds to its answers, shared with its clients (``cli/service.py``):
a module of its own, so that a client need not import the service."""

GRAPH_VERSION = "X-Graph-Version"  # the graph version a /paths or /connect answer holds for
