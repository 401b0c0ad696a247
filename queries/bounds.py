"""The bounds every partnership query accepts, in a module of their own so that the command
line can name them in its options without importing the query layer."""

MAX_HOPS = 6  # longest path, in relationships
MAX_K = 50  # most paths or brokers in one answer
