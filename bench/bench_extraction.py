"""Extraction throughput on one core, one process, and its memory.

Builds two article sets from the labelled corpus: a realistic feed mix (about
80% non-attack) and attack reports alone. Corpus items are short, news pages
are not: every body is padded to about 3 KB with general prose, i.e. the
paragraphs of the corpus's non-attack articles (budgets, sports, elections,
weather) that name no weapon, strike or casualty. Throughput is counted per
CPU second of this one process (the machine may be shared). Prints
``name: value`` lines.

    python bench/bench_extraction.py [--articles 5000] [--seconds 5]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from score_extraction import CORPUS, load  # noqa: E402

from streams.extract import EXTRACTOR_VERSION, extract  # noqa: E402
from streams.extract.lexicon import ATTACK_HINT  # noqa: E402
from streams.extract.text import fold  # noqa: E402
from tocsin.records.article import Article  # noqa: E402

BODY_BYTES = 3000
ATTACK_SHARE = 0.2


def _padded(article: Article, paragraphs: Sequence[str], rng: random.Random) -> Article:
    body = article.body
    while len(body.encode()) < BODY_BYTES:
        body += "\n\n" + rng.choice(paragraphs)
    return article.model_copy(update={"body": body})


def build_sets(count: int, seed: int = 7) -> tuple[list[Article], list[Article]]:
    rng = random.Random(seed)
    attacks, others = [], []
    for labelled in load(CORPUS):
        (attacks if labelled.expected["is_attack"] else others).append(labelled.article)
    if not attacks or not others:
        raise SystemExit(f"bench: corpus at {CORPUS} needs attack and non-attack articles")
    filler = [p for a in others for p in a.body.split("\n\n") if p.strip() and not ATTACK_HINT.search(fold(p))]
    mix = [
        _padded(rng.choice(attacks if rng.random() < ATTACK_SHARE else others), filler, rng) for _ in range(count)
    ]
    attack_only = [_padded(rng.choice(attacks), filler, rng) for _ in range(count)]
    return mix, attack_only


def throughput(articles: list[Article], seconds: float) -> tuple[float, float]:
    """(articles per CPU second, per wall second); CPU time is what one core delivers on a shared machine."""
    done, cpu0, wall0 = 0, time.process_time(), time.perf_counter()
    while True:
        for article in articles:
            extract(article)
        done += len(articles)
        cpu = time.process_time() - cpu0
        if cpu >= seconds:
            return done / cpu, done / (time.perf_counter() - wall0)


HOSTILE_BYTES = 48_000
# Issue 14 V1: long sentences full of counts, the shapes whose cost once grew with the square of the counts.
HOSTILE_UNITS = (
    "500 drones ",
    "x shot down 20 drones out of 30 drones, ",
    "two three four drones were killed and 5 injured ",
    "1, 2, 3, 4, 5 drones; ",
    "Russia launched 7 drones, 6 missiles, 5 drones and 4 missiles and 3 people were killed, ",
)


def _sized(text: str, size: int) -> str:
    return (text * (size // max(1, len(text)) + 1))[:size]


def hostile_ratio(attacks: list[Article], rounds: int = 3) -> tuple[float, float, float]:
    """(normal 48 KB seconds, worst hostile 48 KB seconds, ratio): CPU time of one extraction, best of ``rounds``."""
    normal_body = _sized("\n\n".join(a.body for a in attacks if a.body), HOSTILE_BYTES)
    template = attacks[0]

    def cost(body: str) -> float:
        article = template.model_copy(update={"body": body})
        best = float("inf")
        for _ in range(rounds):
            start = time.process_time()
            extract(article)
            best = min(best, time.process_time() - start)
        return best

    normal = cost(normal_body)
    worst = max(cost(_sized(unit, HOSTILE_BYTES)) for unit in HOSTILE_UNITS)
    return normal, worst, worst / normal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="articles per set")
    parser.add_argument("--seconds", type=float, default=5.0, help="minimum timed run per set")
    args = parser.parse_args()
    mix, attack_only = build_sets(args.articles)
    for article in mix[:50]:
        extract(article)  # warm the lazy gazetteer and regex caches outside the timing
    print(f"extractor: {EXTRACTOR_VERSION}")
    print(f"python: {sys.version.split()[0]}")
    print(f"mix.attack_share: {ATTACK_SHARE}")
    print(f"filler.paragraphs: {len(set(p for a in mix for p in a.body.split(chr(10) * 2)))}")
    print(f"mix.mean_body_bytes: {sum(len(a.body.encode()) for a in mix) / len(mix):.0f}")
    cpu, wall = throughput(mix, args.seconds)
    print(f"mix.articles_per_cpu_s: {cpu:.0f}")
    print(f"mix.articles_per_wall_s: {wall:.0f}")
    print(f"attack_only.mean_body_bytes: {sum(len(a.body.encode()) for a in attack_only) / len(attack_only):.0f}")
    cpu, wall = throughput(attack_only, args.seconds)
    print(f"attack_only.articles_per_cpu_s: {cpu:.0f}")
    print(f"attack_only.articles_per_wall_s: {wall:.0f}")
    normal, worst, ratio = hostile_ratio([a for a in attack_only if a.body])
    print(f"normal_48kb.cpu_s: {normal:.4f}")
    print(f"hostile_48kb.worst_cpu_s: {worst:.4f}")
    print(f"hostile_48kb.ratio_to_normal: {ratio:.2f}")
    tracemalloc.start()
    for article in attack_only[:500]:
        extract(article)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"extract.peak_traced_kib: {peak / 1024:.0f}")
    print(f"process.max_rss_mib: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")


if __name__ == "__main__":
    main()
