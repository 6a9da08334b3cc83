"""Prometheus metrics, one definition each, shared by every stage.

Labels are bounded (stage, outcome, kind, endpoint name, reason): never a
per-article or per-URL label.
"""

from prometheus_client import Counter

ARTICLES_FETCHED = Counter("tocsin_articles_fetched", "Feed entries parsed from fetched feeds.")
ARTICLES_PUBLISHED = Counter(
    "tocsin_articles_published", "New articles acknowledged by Kafka on the raw topic."
)
FEED_FETCHES = Counter(
    "tocsin_feed_fetches", "Feed fetches by outcome (ok, not_modified, error).", ["outcome"]
)
RECORDS_CONSUMED = Counter(
    "tocsin_records_consumed", "Records consumed by a stream stage.", ["stage"]
)
ALERTS_RAISED = Counter("tocsin_alerts_raised", "Alerts published, by kind.", ["kind"])
ALERTS_DELIVERED = Counter(
    "tocsin_alerts_delivered", "Webhook deliveries, by endpoint and outcome.", ["endpoint", "outcome"]
)
DEAD_LETTERS = Counter(
    "tocsin_dead_letters", "Records sent to the dead-letter topic, by stage and reason.", ["stage", "reason"]
)
