import logging

from tocsin.observability.logs import RepeatFolder


def record(msg: object, level: int = logging.WARNING, name: str = "aiokafka", args: tuple = ()) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


def test_repeats_of_a_warning_are_folded_per_window_and_counted() -> None:
    now = [0.0]
    folder = RepeatFolder(window=60.0, clock=lambda: now[0])
    shown = [folder.filter(record("Unable connect to node with id %s: %s", args=(1, "refused"))) for _ in range(500)]
    assert shown.count(True) == 1
    now[0] = 61.0
    later = record("Unable connect to node with id %s: %s", args=(1, "refused"))
    assert folder.filter(later)
    assert later.getMessage() == "Unable connect to node with id 1: refused (499 like it not shown)"


def test_structlog_events_fold_by_event_and_info_lines_never_do() -> None:
    now = [0.0]
    folder = RepeatFolder(window=60.0, clock=lambda: now[0])
    assert folder.filter(record({"event": "webhook attempt failed", "message_id": "a"}, name="streams"))
    assert not folder.filter(record({"event": "webhook attempt failed", "message_id": "b"}, name="streams"))
    assert folder.filter(record({"event": "webhook endpoint failing, breaker opened"}, name="streams"))
    assert all(folder.filter(record({"event": "alert delivered"}, logging.INFO, "streams")) for _ in range(10))
    now[0] = 60.0
    again = record({"event": "webhook attempt failed", "message_id": "c"}, name="streams")
    assert folder.filter(again) and again.msg["repeats_not_shown"] == 1
