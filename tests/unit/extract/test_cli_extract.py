"""``tocsin extract`` on a plain text file, a JSON article on stdin and a JSONL stream with bad lines."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tocsin.cli.extract import extract_command

ARTICLE = {
    "title": "Росія вночі атакувала Україну 120 дронами: 95 збили",
    "published": "2025-09-14T08:30:00+03:00",
    "language": "uk",
}


def _figures(report: dict) -> dict[str, float]:
    return {f["metric"]: f["value"] for f in report["figures"]}


def test_plain_text_file_shows_evidence_of_every_figure(tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_text("Russia launched 539 drones and 11 missiles overnight\nOne person was killed.\n", encoding="utf-8")
    result = CliRunner().invoke(extract_command, [str(path)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert _figures(report) == {"drones_launched": 539, "missiles_launched": 11, "aerial_weapons_launched": 550, "killed": 1}
    for figure in report["figures"]:
        evidence = figure["evidence"]
        assert evidence["text"] and evidence["end"] > evidence["start"]


def test_json_article_on_stdin() -> None:
    result = CliRunner().invoke(extract_command, [], input=json.dumps(ARTICLE, ensure_ascii=False))
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert _figures(report) == {"drones_launched": 120, "drones_neutralized": 95}
    assert report["window"]["night_of"] == "2025-09-14"


def test_jsonl_reports_bad_lines_and_goes_on() -> None:
    good = json.dumps(ARTICLE, ensure_ascii=False)
    naive = json.dumps({"text": "Russia launched 100 drones overnight", "published": "2025-07-04T09:00:00"})
    lines = "\n".join([good, "not json", '{"title": 5}', "", "[1]", naive]) + "\n"
    result = CliRunner().invoke(extract_command, ["--jsonl"], input=lines)
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    errors = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert [_figures(r).get("drones_launched") for r in reports] == [120, 100]
    assert [e["line"] for e in errors] == [2, 3, 5]
    assert errors[0]["error"].startswith("bad JSON")
    assert result.exit_code == 1


def test_explain_gives_every_candidate_a_decision_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_text(
        "Russia launched 120 drones at Ukraine overnight\n"
        "Air defence shot down 100 drones. The previous record of 479 drones was set in June. "
        "Russia could launch 1,000 drones a day. A seven-metre crater was left in the yard. "
        "The two drones that were not downed hit a warehouse.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(extract_command, ["--explain", str(path)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert _figures(report) == {"drones_launched": 120, "drones_neutralized": 100}
    decisions = {c["text"].split()[0]: c for c in report["explain"]["candidates"]}
    assert decisions["120"]["decision"] == "kept" and decisions["120"]["metrics"] == ["drones_launched"]
    assert decisions["100"]["decision"] == "kept" and "drones_neutralized" in decisions["100"]["metrics"]
    assert decisions["479"]["decision"] == "rejected" and "comparison" in decisions["479"]["reason"]
    assert decisions["1,000"]["decision"] == "rejected" and "forecast" in decisions["1,000"]["reason"]
    assert decisions["two"]["decision"] == "not a figure" and "hits are not interceptions" in decisions["two"]["reason"]
    assert "seven-metre" not in decisions  # a measure is no count at all
    assert report["explain"]["gate"] is None and report["explain"]["capped"] is False


def test_explain_names_the_gate_of_a_non_attack_and_works_on_jsonl() -> None:
    lines = json.dumps({"title": "Parliament passes the budget", "body": "Deputies voted 300 to 20."}) + "\n"
    result = CliRunner().invoke(extract_command, ["--jsonl", "--explain"], input=lines)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.splitlines()[0])
    assert report["is_attack"] is False
    assert report["explain"]["gate"] == "no attack words in the opening"
