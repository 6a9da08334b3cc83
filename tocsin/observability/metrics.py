"""Prometheus metrics, one definition each, shared by every stage.

Labels are bounded (stage, outcome, kind, endpoint name, reason): never a
per-article or per-URL label.
"""

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

# `_created` timestamps double the series count and no dashboard or rule reads them.
disable_created_metrics()

ARTICLES_FETCHED = Counter("tocsin_articles_fetched", "Feed entries parsed from fetched feeds.")
ARTICLES_PUBLISHED = Counter(
    "tocsin_articles_published", "New articles acknowledged by Kafka on the raw topic."
)
FEED_FETCHES = Counter(
    "tocsin_feed_fetches",
    "Feed fetches by outcome (ok, not_modified, or the error reason: timeout, http_503, too_large, ...) and HTTP status (none without one).",
    ["outcome", "status"],
)
FEED_FETCH_BYTES = Counter("tocsin_feed_fetch_bytes", "Feed body bytes received, after decompression.")
FEED_FETCH_SECONDS = Histogram(
    "tocsin_feed_fetch_seconds",
    "Feed fetch latency, redirects included.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
FEED_ITEMS = Counter(
    "tocsin_feed_items", "Feed entries by verdict: new, seen (already published from this feed), duplicate (same story from another feed).", ["verdict"]
)
FEED_ITEMS_SKIPPED = Counter(
    "tocsin_feed_items_skipped",
    "Feed items not published as read: unreadable, too_large (not fitting a record even shortened), refused (by Kafka) or shortened (cut to fit).",
    ["reason"],
)
FEED_PARSES = Counter("tocsin_feed_parses", "Feeds parsed, by parser (fast, fallback); empty counts valid documents without items.", ["parser"])
FEEDS_ASSIGNED = Gauge("tocsin_feeds_assigned", "Feeds this poller owns through its Kafka partition assignment.")
FEEDS_BACKING_OFF = Gauge("tocsin_feeds_backing_off", "Owned feeds whose last poll failed (retried with growing delays, never dropped).")
HOSTS_BACKING_OFF = Gauge("tocsin_hosts_backing_off", "Hosts left alone after a 429 or 503.")
FEEDS_STALE = Gauge("tocsin_feeds_stale", "Owned feeds without a successful poll for more than three of their intervals.")
FEED_MAX_STALENESS = Gauge("tocsin_feed_max_staleness_seconds", "Longest time since an owned feed's last successful poll.")
# Per feed, but only for the unhealthy ones (the feed table of the dashboard): the names
# come from the feed catalogue, and a healthy feed has no series.
FEED_STALENESS = Gauge("tocsin_feed_staleness_seconds", "Time since the last successful poll of a stale owned feed.", ["feed"])
FEED_CONSECUTIVE_ERRORS = Gauge("tocsin_feed_consecutive_errors", "Failed polls in a row of a failing owned feed.", ["feed"])
POLLING_PAUSED = Gauge("tocsin_polling_paused", "1 while polling waits for Kafka to acknowledge again.")
# Real-time sources. `kind` is the source kind (air_force, official, media): bounded, from the config.
TELEGRAM_POSTS = Counter(
    "tocsin_telegram_posts", "Posts read from Telegram channel previews, by source kind and verdict (new, edited, seen).", ["kind", "verdict"]
)
TELEGRAM_PAGES = Counter("tocsin_telegram_pages", "Telegram preview pages fetched (the first page and the older ones read to close a gap).")
WEBSUB_PUSHES = Counter(
    "tocsin_websub_pushes",
    "WebSub content distributions received, by outcome (accepted, bad_signature, unsigned, unknown_subscription, not_owned).",
    ["outcome"],
)
WEBSUB_VERIFICATIONS = Counter(
    "tocsin_websub_verifications", "Hub intent verifications and denials, by outcome (verified, refused, denied).", ["outcome"]
)
WEBSUB_SUBSCRIPTIONS = Gauge("tocsin_websub_subscriptions_active", "Feeds with a verified, unexpired WebSub subscription on this poller.")
WEBSUB_RENEWALS = Counter("tocsin_websub_lease_renewals", "Subscriptions re-requested before their lease expired, by outcome (ok, failed).", ["outcome"])
WEBSUB_HUB_FAILURES = Counter(
    "tocsin_websub_hub_failures",
    "Subscriptions that failed and fell back to polling, by reason (refused, unreachable, denied, verify_timeout, expired).",
    ["reason"],
)
PUBLISH_SECONDS = Histogram(
    "tocsin_article_publish_seconds",
    "From handing a poll's new articles to Kafka to their acknowledgement (acks=all).",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 30.0),
)
RECORDS_CONSUMED = Counter(
    "tocsin_records_consumed", "Records consumed by a stream stage.", ["stage"]
)
EXTRACTIONS = Counter(
    "tocsin_extractions",
    "Articles extracted, by result: attack (a report published), not_attack, incomplete (attack without attacker or target), failed.",
    ["result"],
)
EXTRACTIONS_CAPPED = Counter(
    "tocsin_extractions_capped",
    "Articles whose extraction hit a work cap (overlong sentence, too many counts, oversized field): read in part, a figure may be missed.",
)
MERGES = Counter(
    "tocsin_merges", "Reports merged, by result: new_event, revised, unchanged (nothing new for the event), bridged (an event merged into an earlier one).", ["result"]
)
ALERTS_RAISED = Counter("tocsin_alerts_raised", "Alerts published, by kind.", ["kind"])
ALERTS_DELIVERED = Counter(
    "tocsin_alerts_delivered", "Webhook deliveries, by endpoint and outcome.", ["endpoint", "outcome"]
)
DEAD_LETTERS = Counter(
    "tocsin_dead_letters", "Records sent to the dead-letter topic, by stage and reason.", ["stage", "reason"]
)
RECORDS_SKIPPED = Counter(
    "tocsin_records_skipped",
    "Records of a compacted topic (feeds, feed state, deliveries) this build cannot read (a newer version, corrupt), skipped, by stage and reason.",
    ["stage", "reason"],
)
RECORDS_PRODUCED = Counter(
    "tocsin_records_produced", "Records a stream stage published downstream (throughput).", ["stage"]
)
RAW_TO_ALERT_SECONDS = Histogram(
    "tocsin_raw_to_alert_seconds",
    "From the article's arrival on the raw topic to its alert being published.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
RAW_TO_DELIVERED_SECONDS = Histogram(
    "tocsin_raw_to_delivered_seconds",
    "From the article's arrival on the raw topic to the alert's successful delivery, by endpoint (retries included).",
    ["endpoint"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0, 7200.0, 36000.0),
)
EVENTS_OPEN = Gauge("tocsin_events_open", "Events still open for merging (recent nights).")
CONSUMER_LAG = Gauge(
    "tocsin_consumer_lag_messages", "Messages behind the high-water mark, per topic and partition this process consumes.", ["topic", "partition"]
)
CONSUMER_GROUP_LAG = Gauge(
    "tocsin_consumer_group_lag_messages",
    "Messages behind the high-water mark, per consumer group, over every partition of its topics whoever owns it"
    " (end offset minus the group's committed offset; every member exports it: aggregate with max).",
    ["group", "topic", "partition"],
)
WEBHOOK_ATTEMPTS = Counter(
    "tocsin_webhook_attempts", "Webhook HTTP attempts by endpoint and result (ok, http_<status>, timeout, connection, blocked).", ["endpoint", "result"]
)
WEBHOOK_LATENCY = Histogram(
    "tocsin_webhook_delivery_seconds",
    "From the alert being raised to its successful delivery, by endpoint.",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0, 7200.0, 36000.0),
)
WEBHOOK_QUEUE_DEPTH = Gauge("tocsin_webhook_queue_depth", "Deliveries waiting or under way, by endpoint.", ["endpoint"])
WEBHOOK_BREAKER_STATE = Gauge(
    "tocsin_webhook_breaker_state", "Circuit breaker: 0 closed, 1 half-open, 2 open, 3 disabled (410 Gone).", ["endpoint"]
)
READY = Gauge(
    "tocsin_ready",
    "1 while a component of this process is ready (Kafka answering, and poll: articles acknowledged; work: tables recovered and writable; deliver: in its group).",
    ["component"],
)
