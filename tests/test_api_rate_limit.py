"""The per-client request limit: a client that floods the service gets 429 with Retry-After,
another client keeps being served, and a bad limit is refused at start-up."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.app import create_app
from graph.errors import ConfigurationError
from graph.settings import Settings


def test_a_flooding_client_is_slowed_down_and_others_are_served(
    driver: Driver, settings: Settings
) -> None:
    limited = settings.model_copy(update={"rate_limit": "5/second"})
    app = create_app(limited, start_local=False)
    with (
        TestClient(app, client=("10.0.0.1", 5000)) as flooder,
        TestClient(app, client=("10.0.0.2", 5000)) as other,
    ):
        answers = [flooder.get("/health") for _ in range(12)]
        refused = [a for a in answers if a.status_code == 429]
        assert len([a for a in answers if a.status_code == 200]) == 5
        assert len(refused) == 7
        assert int(refused[0].headers["retry-after"]) >= 1
        assert "S3GRAPH_RATE_LIMIT" in refused[0].json()["detail"]
        assert other.get("/health").status_code == 200


def test_a_limit_that_is_no_rate_is_refused_when_the_service_starts(settings: Settings) -> None:
    wrong = settings.model_copy(update={"rate_limit": "fast"})
    with pytest.raises(ConfigurationError, match="S3GRAPH_RATE_LIMIT 'fast' is not a rate"):
        create_app(wrong, start_local=False)
    assert Settings(S3GRAPH_RATE_LIMIT=" ").rate_limit == ""  # type: ignore[call-arg]
