"""Why a figure was or was not reported: every count the extractor read, with its decision and reason."""

from __future__ import annotations

from dataclasses import dataclass

from streams.extract.context import Reason
from streams.extract.figures import Candidate, Note
from streams.extract.limits import Work
from streams.extract.report import extract
from tocsin.records.article import Article
from tocsin.records.report import ExtractionReport, Figure, TextField

KEPT, REJECTED, NOT_CHOSEN, NOT_A_FIGURE = "kept", "rejected", "not chosen", "not a figure"

REASONS = {
    Reason.OTHER_ATTACK: "another night or attack (an earlier date, 'previous', 'a day after', 'as reported' …)",
    Reason.FORECAST: "a forecast, capacity, habit or price, not a count of this attack",
    Reason.CUMULATIVE: "a period's total (this month, since the invasion, over the past week …)",
    Reason.COMPARISON: "the other side of a comparison ('than 479', 'up from …')",
    Reason.OTHER_SIDE: "the other side's claim (the other country's attack or defence)",
    Reason.PART: "a part of a total ('one of the drones')",
    Reason.RELATED_LINK: "a related-link headline inside the body",
}


@dataclass(frozen=True, slots=True)
class Decision:
    field: TextField
    start: int
    end: int
    text: str
    value: float
    decision: str  # kept | rejected | not chosen | not a figure
    metrics: tuple[str, ...]  # what it was kept as, or the metric it was read for
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {
            "field": self.field.value,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "value": self.value,
            "decision": self.decision,
            "metrics": list(self.metrics),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    report: ExtractionReport
    decisions: tuple[Decision, ...]
    gate: str | None  # why the article is no attack report, when it is not
    capped: bool  # a cap of ``limits`` made the extractor read less than the whole article


def explain(article: Article) -> Explanation:
    """The report of ``extract`` plus a decision for every count read (slower: for people, not the stream)."""
    work = Work(notes=[])
    report = extract(article, work)
    texts = {TextField.TITLE: article.title, TextField.SUMMARY: article.summary, TextField.BODY: article.body}
    decisions = [_decide(note, report, texts[note.field]) for note in work.notes or ()]
    decisions.sort(key=lambda d: (list(TextField).index(d.field), d.start))
    return Explanation(report, tuple(decisions), work.gate, work.capped)


def _covers(figure: Figure, c: Candidate) -> bool:
    evidence = figure.evidence
    return evidence.field is c.field and evidence.start <= c.start and c.end <= evidence.end and figure.value >= c.value


def _decide(note: Note, report: ExtractionReport, text: str) -> Decision:
    c = note.candidate
    span = text[note.start : note.end]
    if c is None:
        return Decision(note.field, note.start, note.end, span, note.value, NOT_A_FIGURE, (), note.why_not)
    read_as = c.metric.value if c.metric else f"drones_{c.action.value}"
    if c.excluded is not None:
        return Decision(note.field, note.start, note.end, span, c.value, REJECTED, (read_as,), REASONS[c.excluded])
    if not report.is_attack:
        return Decision(note.field, note.start, note.end, span, c.value, NOT_CHOSEN, (read_as,), "the article is no attack report")
    kept = tuple(f.metric.value for f in report.figures if _covers(f, c))
    if c.metric is not None and c.metric.value in kept:
        how = "a single weapon named without a number" if c.singular else "its metric's figure"
        return Decision(note.field, note.start, note.end, span, c.value, KEPT, kept, how)
    if kept:
        how = "a shot-down count, read as the interception figure" if c.metric is None else "a part summed into these figures"
        return Decision(note.field, note.start, note.end, span, c.value, KEPT, kept, how)
    chosen = report.figure(c.metric) if c.metric else None
    if chosen is not None:
        why = f"{chosen.metric.value} is {chosen.value:g} from {chosen.evidence.text!r} (the whole, better qualified or stated first)"
    elif c.singular:
        why = "a single weapon named alone tells what struck, not how many were launched"
    elif c.metric is None:
        why = "a shot-down or lost part with no other part to add it to"
    else:
        why = "an echo of the same count stated with a verb of another metric"
    return Decision(note.field, note.start, note.end, span, c.value, NOT_CHOSEN, (read_as,), why)
