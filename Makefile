# The two commands of s3graph: `make run` (the main job) and `make test` (the whole suite).
# Both install what they need (uv, the locked Python dependencies, the Neo4j launcher).

UV := python3 -m uv
PYTEST_ARGS ?=

.PHONY: run test lint deps bench

deps:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

run: deps
	$(UV) run s3graph db start
	$(UV) run s3graph db init
	$(UV) run s3graph load all
	$(UV) run s3graph db status
	$(UV) run s3graph serve

lint: deps
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy

test: lint
	command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver)
	$(UV) run pytest $(PYTEST_ARGS)

# The benchmarks (not part of `make test`): scale data sets, ingestion, queries, HTTP load, on a
# throwaway local Neo4j; figures in benchmarks/results/ (see benchmarks/README.md). ~25 minutes.
bench: deps
	$(UV) run python -m benchmarks.run $(BENCH_ARGS)
