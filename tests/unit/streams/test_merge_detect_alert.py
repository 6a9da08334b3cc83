from __future__ import annotations

from datetime import UTC, date, datetime

from factories import report

from streams.alert import threshold_alert
from streams.detect import matching_rules
from streams.merge import OpenEvent, merge_into, merge_report, pair_key, partition_for
from streams.merge.merger import SOURCES_KEPT
from tocsin.records import AttackEvent, ExtractionReport, Location, Metric, Qualifier, SourceKind, Window
from tocsin.settings import ThresholdRule

NOW = datetime(2025, 7, 4, 10, tzinfo=UTC)
KYIV, LVIV = Location(name="Kyiv", iso3166_2="UA-30"), Location(name="Lviv", iso3166_2="UA-46")
D, N, K, M, A = (
    Metric.DRONES_LAUNCHED,
    Metric.DRONES_NEUTRALIZED,
    Metric.KILLED,
    Metric.MISSILES_LAUNCHED,
    Metric.AERIAL_WEAPONS_LAUNCHED,
)


def merge_all(*reports: ExtractionReport, events: dict[str, AttackEvent] | None = None) -> list[AttackEvent]:
    """Run reports through the merge stage's pure logic, as the agent does (one index of open
    events per attacker>target key, every event by id); return the open events."""
    indexes: dict[str, list[OpenEvent]] = {}
    events = {} if events is None else events
    for r in reports:
        merged = merge_into(indexes.get(pair_key(r), []), r, NOW, events.get)
        if merged is not None:
            indexes[pair_key(r)] = merged.open_events
            for event in (merged.event, *merged.absorbed):
                events[event.event_id] = event
    return [events[e.event_id] for index in indexes.values() for e in index]


def test_reports_of_one_attack_merge_into_revisions_of_one_event() -> None:
    first = merge_report(None, report("a1", (D, 539), (K, 1)), NOW, "evt_x")
    assert first is not None and first.revision == 1
    second = merge_report(first, report("a2", (K, 2), (N, 476), hour=9), NOW, "ignored")
    assert second is not None
    assert second.event_id == "evt_x" and second.revision == 2
    assert (second.value(D), second.value(K), second.value(N)) == (539, 2, 476)
    assert [s.article_id for s in second.sources] == ["a1", "a2"]
    assert len(next(f for f in second.figures if f.metric is K).claims) == 2


def test_a_redelivered_report_changes_nothing() -> None:
    event = merge_report(None, report("a1", (D, 539)), NOW, "evt_x")
    assert merge_report(event, report("a1", (D, 539)), NOW, "evt_x") is None


def test_an_edited_article_replaces_its_own_claims_in_a_new_revision() -> None:
    def arrived(r: ExtractionReport, minute: int) -> ExtractionReport:
        return r.model_copy(update={"raw_arrived_at": NOW.replace(minute=minute)})

    original = arrived(report("tg", (D, 500), (K, 1), kind=SourceKind.AIR_FORCE), 1)
    other = arrived(report("m", (K, 1)), 2)
    edit = arrived(report("tg", (D, 539), kind=SourceKind.AIR_FORCE), 3)  # the post published again, corrected
    (edited,) = merge_all(original, other, edit)
    assert edited.revision == 3
    assert edited.value(D) == 539  # the old 500 is gone, not disputed
    assert [c.value for c in next(f for f in edited.figures if f.metric is D).claims] == [539]
    assert [c.article_id for c in next(f for f in edited.figures if f.metric is K).claims] == ["m"]  # its killed claim withdrawn
    assert sorted(s.article_id for s in edited.sources) == ["m", "tg"]
    assert merge_all(original, other, edit, edit, original) == [edited]  # redelivered, old or new: nothing changes


def test_precedence_air_force_then_later_then_exact() -> None:
    (event,) = merge_all(
        report("af", (D, 539), kind=SourceKind.AIR_FORCE, hour=6),
        report("m", (D, 540), hour=11),
        report("early", (K, 1), hour=5),
        report("later-hedged", (K, 2), hour=9, qualifier=Qualifier.AT_LEAST),
    )
    assert event.value(D) == 539  # the air force over a later media report
    assert event.value(K) == 2  # a later revision over an earlier one


def test_exact_beats_at_least_from_the_same_moment() -> None:
    (event,) = merge_all(report("a", (K, 3), hour=9, qualifier=Qualifier.AT_LEAST), report("b", (K, 2), hour=9))
    figure = next(f for f in event.figures if f.metric is K)
    assert figure.value == 2 and figure.qualifier is Qualifier.EXACT


def test_disagreement_beyond_tolerance_is_visible() -> None:
    (event,) = merge_all(report("a", (N, 718), hour=8), report("b", (N, 711), hour=9), report("c", (D, 728), (N, 600), hour=10))
    figure = next(f for f in event.figures if f.metric is N)
    assert figure.value == 600 and figure.disputed == (600, 718)


def test_aerial_weapons_are_derived_when_no_source_states_them() -> None:
    (event,) = merge_all(report("a", (D, 539), (M, 11)))
    total = next(f for f in event.figures if f.metric is A)
    assert total.value == 550 and total.derived


def test_a_follow_up_a_day_later_about_last_night_merges() -> None:
    first = report("a", (D, 539), hour=6)
    follow_up = report("b", (K, 2), hour=12, night=date(2025, 7, 5), explicit_window=False)
    (event,) = merge_all(first, follow_up)
    assert [s.article_id for s in event.sources] == ["a", "b"]


def test_a_smaller_attack_the_next_night_is_a_new_event() -> None:
    events = merge_all(report("a", (D, 539)), report("b", (D, 120), night=date(2025, 7, 5), explicit_window=False))
    assert len(events) == 2 and {e.value(D) for e in events} == {539, 120}
    assert len({e.event_id for e in events}) == 2


def test_a_late_report_of_a_closed_night_joins_that_nights_event() -> None:
    events: dict[str, AttackEvent] = {}
    merge_all(report("a", (D, 539)), report("b", (D, 120), night=date(2025, 7, 9)), report("late", (K, 3)), events=events)
    (event,) = (e for e in events.values() if e.window.night_of == date(2025, 7, 4))
    assert [s.article_id for s in event.sources] == ["a", "late"] and event.revision == 2
    assert (event.value(D), event.value(K)) == (539, 3)


def test_a_misdated_report_does_not_stop_a_night_from_merging() -> None:
    """A report dated a week ahead (a wrong feed date, a replay out of order) closes the real night in the
    index; that night's later reports still match its events, read by their ids."""
    events: dict[str, AttackEvent] = {}
    merge_all(
        report("big", (D, 539), locations=(KYIV,)),
        report("small", (D, 40), locations=(LVIV,)),
        report("misdated", (D, 90), night=date(2025, 7, 11)),
        report("big-again", (D, 530), locations=(KYIV,)),
        report("small-again", (D, 41), locations=(LVIV,)),
        events=events,
    )
    on_the_night = {tuple(s.article_id for s in e.sources) for e in events.values() if e.window.night_of == date(2025, 7, 4)}
    assert on_the_night == {("big", "big-again"), ("small", "small-again")}
    again = merge_all(*(report(i, (D, v), locations=(p,)) for i, v, p in (("big", 539, KYIV), ("small", 40, LVIV), ("big-again", 530, KYIV), ("small-again", 41, LVIV))))
    assert {e.event_id for e in events.values() if e.window.night_of == date(2025, 7, 4)} == {e.event_id for e in again}


def test_a_misread_figure_is_a_dispute_on_that_figure_not_a_second_event() -> None:
    """"downed 436 of 477 drones, along with 38 of 60 missiles" read as 38 missiles launched."""
    (event,) = merge_all(
        report("wire", (D, 477), (M, 38), hour=7),
        report("af", (D, 477), (M, 60), kind=SourceKind.AIR_FORCE, hour=8),
        report("daily", (M, 60), hour=9),
    )
    missiles = next(f for f in event.figures if f.metric is M)
    assert (missiles.value, missiles.disputed) == (60, (38, 60))
    assert sorted(c.article_id for c in missiles.claims) == ["af", "daily", "wire"]  # every claim kept
    assert event.value(A) == 537


def test_without_an_official_source_the_figure_most_sources_claim_wins_then_the_latest() -> None:
    (event,) = merge_all(report("a", (M, 60), hour=7), report("b", (M, 60), hour=8), report("c", (M, 38), hour=9), report("d", (K, 1), hour=7),
                         report("e", (K, 1), hour=8), report("f", (K, 3), hour=9))
    assert event.value(M) == 60  # two sources over the latest one
    assert event.value(K) == 3  # casualty tolls rise: the latest report


def test_a_report_naming_a_further_wave_opens_its_own_event_and_its_follow_ups_join_it() -> None:
    first = report("a", (D, 400), locations=(KYIV,))
    second = report("b", (M, 20), hour=12, locations=(KYIV,)).model_copy(update={"separate_wave": True})
    more = report("c", (M, 22), hour=13).model_copy(update={"separate_wave": True})
    events = merge_all(first, second, more, report("d", (D, 410), hour=14, locations=(KYIV,)))
    assert sorted(tuple(s.article_id for s in e.sources) for e in events) == [("a", "d"), ("b", "c")]


def test_disjoint_regions_split_a_night_only_with_figures_that_disagree_too() -> None:
    assert len(merge_all(report("a", (D, 500), locations=(KYIV,)), report("b", (D, 480), locations=(LVIV,)))) == 1
    assert len(merge_all(report("a", (D, 500), locations=(KYIV,)), report("b", (D, 40), locations=(LVIV,)))) == 2
    assert len(merge_all(report("a", (D, 500), locations=(KYIV,)), report("b", (D, 40)))) == 1  # no places: a dispute
    # One count misread, another the same: the same attack, whatever places each outlet names.
    assert len(merge_all(report("a", (D, 477), (M, 60), locations=(KYIV,)), report("b", (D, 477), (M, 38), locations=(LVIV,)))) == 1


def test_distinct_time_windows_are_distinct_waves() -> None:
    def timed(article_id: str, start: int, end: int) -> ExtractionReport:
        window = Window(start=datetime(2025, 7, 3, start, tzinfo=UTC), end=datetime(2025, 7, 3, end, tzinfo=UTC), night_of=date(2025, 7, 4))
        return report(article_id, (D, 100)).model_copy(update={"window": window})

    assert len(merge_all(timed("a", 1, 5), timed("b", 4, 6))) == 1
    assert len(merge_all(timed("a", 1, 5), timed("b", 12, 14))) == 2


def test_a_report_tied_to_two_events_of_its_night_merges_them_into_the_earlier_one() -> None:
    events: dict[str, AttackEvent] = {}
    first, second = report("a", (D, 539), locations=(KYIV,), hour=6), report("b", (D, 40), locations=(LVIV,), hour=7)
    opened = merge_all(first, second)
    assert len(opened) == 2
    earlier = opened[0].event_id
    left = merge_all(first, second, report("c", (D, 539), (M, 11), locations=(KYIV, LVIV), hour=9), events=events)
    assert [e.event_id for e in left] == [earlier]  # the index holds one event
    (event,) = left
    (alias,) = (e for e in events.values() if e.event_id != earlier)
    assert event.aliases == (alias.event_id,) and alias.merged_into == earlier and alias.revision == 2
    assert [s.article_id for s in event.sources] == ["a", "b", "c"] and event.revision == 2
    drones = next(f for f in event.figures if f.metric is D)
    assert drones.value == 539 and drones.disputed == (40, 539)
    assert merge_all(first, second, report("c", (D, 539), (M, 11), locations=(KYIV, LVIV), hour=9), report("c", (D, 539)), events={}) == left


def test_an_event_covered_by_hundreds_of_outlets_stays_a_bounded_record() -> None:
    reports = [report("af", (D, 539), kind=SourceKind.AIR_FORCE, hour=6), report("m0", (K, 2), hour=5)]
    reports += [report(f"m{i}", (D, 500 + i % 3)) for i in range(1, 300)]
    (event,) = merge_all(*reports)
    assert len(event.sources) == SOURCES_KEPT and event.revision == 301
    assert {"af", "m0", "m299"} <= {s.article_id for s in event.sources}  # best claims and the latest stay
    assert (event.value(D), event.value(K)) == (539, 2)


def test_separate_waves_on_one_night_are_two_events_with_stable_ids() -> None:
    reports = (report("a", (D, 539), locations=(KYIV,)), report("b", (D, 40), locations=(LVIV,)))
    first, second = merge_all(*reports), merge_all(*reports)
    assert len(first) == 2 and [e.event_id for e in first] == [e.event_id for e in second]


def test_strikes_on_russia_never_merge_with_the_attack_on_ukraine() -> None:
    on_ukraine = report("a", (D, 120), (K, 1))
    on_russia = report("b", (D, 120), (K, 1)).model_copy(update={"attacker": "UA", "target": "RU"})
    assert pair_key(on_russia) == "UA>RU" != pair_key(on_ukraine)
    events = merge_all(on_ukraine, on_russia)  # same night, same figures
    assert sorted((e.attacker, e.target, len(e.sources)) for e in events) == [("RU", "UA", 1), ("UA", "RU", 1)]
    assert len({e.event_id for e in events}) == 2


def test_reports_are_keyed_by_pair_and_partitioned_like_kafka() -> None:
    assert pair_key(report("a")) == "RU>UA"
    # Kafka's default partitioner for b"UA" (murmur2) on 6 partitions.
    assert partition_for("UA", 6) == partition_for("UA", 6) and 0 <= partition_for("UA", 6) < 6


def test_threshold_rules_filter_and_alert_ids_are_stable() -> None:
    event = merge_report(None, report("a1", (D, 539), (M, 11), locations=(Location(name="Kyiv", iso3166_2="UA-30"),)), NOW, "evt_x")
    assert event is not None
    rules = [
        ThresholdRule(name="big", metric=D, op=">=", value=400),
        ThresholdRule(name="huge", metric=D, op=">", value=600),
        ThresholdRule(name="on-russia", metric=D, value=1, target="RU"),
        ThresholdRule(name="deaths", metric=K, value=1),
        ThresholdRule(name="kyiv", metric=D, value=1, oblast="UA-30", weapon_class="missile"),
        ThresholdRule(name="lviv", metric=D, value=1, city="Lviv"),
        ThresholdRule(name="ballistic", metric=D, value=1, weapon_class="ballistic_missile"),
    ]
    assert [r.name for r in matching_rules(event, rules)] == ["big", "kyiv"]
    rule = rules[0]
    alert = threshold_alert(event, rule, NOW)
    assert alert.value == 539 and alert.rule is not None and alert.rule.name == "big"
    revised = merge_report(event, report("a2", (K, 3)), NOW, "evt_x")
    assert revised is not None
    assert threshold_alert(revised, rule, NOW).alert_id == alert.alert_id


def test_an_exact_count_outranks_hedged_ones_however_many() -> None:
    hedged = [report(f"h{i}", (D, 500), hour=7 + i, qualifier=Qualifier.MORE_THAN) for i in range(3)]
    (event,) = merge_all(hedged[0], report("x", (D, 539), hour=8), *hedged[1:])
    assert event.value(D) == 539
