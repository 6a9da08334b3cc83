"""Score the extractor against the labelled corpus (tests/corpus/<lang>/*.jsonl).

Prints ``name: value`` lines: per metric precision/recall/F1 (a figure is a true
positive when metric and value match the label; a wrong value counts as one
false positive and one false negative), attack/non-attack accuracy, and the
same per language (``en.drones_launched.f1``), per style of the real-text
articles (``style.wire.killed.f1``) and per family they exercise
(``family.out_of.drones_launched.f1``). ``--errors`` lists every miss.

``--split dev`` (default) reads tests/corpus/<lang>/*.jsonl, ``--split devtest``
the held-out tests/corpus/devtest/<lang>/*.jsonl, ``--split all`` both;
``--real`` keeps only the real-text articles (``real-*.jsonl``), ``--old`` only
the others.

    python bench/score_extraction.py [--split dev|devtest|all] [--real|--old] [--corpus DIR] [--errors]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from streams.extract import extract  # noqa: E402
from streams.extract.articles import article_from_mapping  # noqa: E402
from tocsin.records.article import Article  # noqa: E402
from tocsin.records.report import ExtractionReport  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"
# Metrics with a bar in issue 4, printed even when a language has no label for them. "locations" is
# scored the same way over the ISO 3166-2 codes of places hit, where the label lists them.
BARRED = ("drones_launched", "drones_neutralized", "missiles_launched", "killed", "injured")


@dataclass(frozen=True)
class Labelled:
    article: Article
    expected: dict


    style: str | None = None
    families: tuple[str, ...] = ()


SPLITS = {"dev": ("*/*.jsonl",), "devtest": ("devtest/*/*.jsonl",), "all": ("*/*.jsonl", "devtest/*/*.jsonl")}
REAL = "real-"


def paths(corpus: Path = CORPUS, split: str = "dev", real: bool | None = None) -> list[Path]:
    """The split's files; ``real`` True keeps only real-text files, False only the others."""
    found = sorted(p for pattern in SPLITS[split] for p in corpus.glob(pattern))
    return [p for p in found if real is None or p.name.startswith(REAL) is real]


def load(
    corpus: Path = CORPUS, in_summary: bool = False, split: str = "dev", real: bool | None = None
) -> Iterator[Labelled]:
    for path in paths(corpus, split, real):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                doc = json.loads(line)
                if in_summary:
                    doc["summary"] = "\n\n".join(text for text in (doc.get("summary"), doc.pop("body", None)) if text)
                yield Labelled(
                    article_from_mapping(doc, doc["id"]), doc["expected"], doc.get("style"), tuple(doc.get("families") or ())
                )


@dataclass
class Tally:
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    correct: Counter[str] = field(default_factory=Counter)  # is_attack, attacker_target, night_of, qualifier
    total: Counter[str] = field(default_factory=Counter)

    def add(self, labelled: Labelled, report: ExtractionReport) -> list[str]:
        exp = labelled.expected
        got = {f.metric.value: f for f in report.figures} if report.is_attack else {}
        want = exp.get("figures") or {} if exp["is_attack"] else {}
        misses: list[str] = []
        for metric in sorted(set(got) | set(want)):
            g, w = got.get(metric), want.get(metric)
            if g is not None and w is not None and float(g.value) == float(w):
                self.tp[metric] += 1
                self._tick("qualifier", g.qualifier.value == (exp.get("qualifiers") or {}).get(metric, "exact"))
                continue
            if g is not None:
                self.fp[metric] += 1
            if w is not None:
                self.fn[metric] += 1
            misses.append(f"{metric}: got {g.value if g else None} ({g.evidence.text if g else ''!r}) want {w}")
        self._tick("attack", report.is_attack == exp["is_attack"])
        if not report.is_attack == exp["is_attack"]:
            misses.append(f"is_attack: got {report.is_attack} want {exp['is_attack']}")
        if exp["is_attack"] and report.is_attack:
            sides = (report.attacker, report.target) == (exp.get("attacker"), exp.get("target"))
            self._tick("attacker_target", sides)
            if not sides:
                misses.append(f"sides: got {report.attacker}->{report.target} want {exp.get('attacker')}->{exp.get('target')}")
            if "locations" in exp:
                got_places = {loc.iso3166_2 for loc in report.locations}
                want_places = set(exp["locations"])
                self.tp["locations"] += len(got_places & want_places)
                self.fp["locations"] += len(got_places - want_places)
                self.fn["locations"] += len(want_places - got_places)
            night = str(report.window.night_of) if report.window else None
            self._tick("night_of", night == exp.get("night_of"))
            if night != exp.get("night_of"):
                misses.append(f"night_of: got {night} want {exp.get('night_of')}")
        return misses

    def _tick(self, name: str, ok: bool) -> None:
        self.total[name] += 1
        self.correct[name] += int(ok)

    def lines(self, prefix: str = "") -> Iterator[str]:
        for metric in sorted(set(self.tp) | set(self.fp) | set(self.fn) | set(BARRED)):
            tp, fp, fn = self.tp[metric], self.fp[metric], self.fn[metric]
            if tp + fp + fn == 0:
                continue
            precision = tp / (tp + fp) if tp + fp else 1.0
            recall = tp / (tp + fn) if tp + fn else 1.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            yield f"{prefix}{metric}.precision: {precision:.3f}"
            yield f"{prefix}{metric}.recall: {recall:.3f}"
            yield f"{prefix}{metric}.f1: {f1:.3f}"
            yield f"{prefix}{metric}.support: {tp + fn}"
        for name in ("attack", "attacker_target", "night_of", "qualifier"):
            if self.total[name]:
                yield f"{prefix}{name}.accuracy: {self.correct[name] / self.total[name]:.3f}"
        yield f"{prefix}articles: {self.total['attack']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--errors", action="store_true", help="list every miss per article")
    parser.add_argument("--in-summary", action="store_true", help="score with each body moved into the summary")
    parser.add_argument("--split", choices=sorted(SPLITS), default="dev", help="dev (default), devtest or all")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--real", dest="real", action="store_const", const=True, help="real-text articles only")
    which.add_argument("--old", dest="real", action="store_const", const=False, help="the older corpus only")
    args = parser.parse_args()
    overall = Tally()
    groups: dict[str, Tally] = {}
    for labelled in load(args.corpus, args.in_summary, args.split, args.real):
        report = extract(labelled.article)
        misses = overall.add(labelled, report)
        names = [labelled.article.language or "unknown"]
        names += [f"style.{labelled.style}"] if labelled.style else []
        names += [f"family.{family}" for family in labelled.families]
        for name in names:
            groups.setdefault(name, Tally()).add(labelled, report)
        if args.errors and misses:
            print(f"# {labelled.article.id}: " + "; ".join(misses), file=sys.stderr)
    for line in overall.lines():
        print(line)
    # Languages first, then styles, then families.
    for name in sorted(groups, key=lambda n: (n.count("."), n)):
        for line in groups[name].lines(f"{name}."):
            print(line)


if __name__ == "__main__":
    main()
