"""`tocsin replay` on a file of hostile lines, on the real broker: each bad line reported in
one line (file:line: problem), no traceback, and every good line published."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from support.daemon import TOCSIN, isolated_config, write_config
from support.streams import read_topic
from tocsin.records import Article

pytestmark = pytest.mark.integration

BAD_LINES = {
    2: (b'{"title": "\xff\xfe not utf-8"}', "not UTF-8"),
    3: (b"[" * 100_000, "JSON nested too deeply"),
    4: (b'{"title": ' + b"[" * 100_000, "JSON nested too deeply"),
    5: (json.dumps({"title": "x" * 3_000_000}).encode(), "more than a record may have"),
    6: (b"42", "not a JSON object"),
    7: (b'{"schema": "tocsin.article", "version": 9}', "unsupported_version"),
    8: (b"{not json", "bad JSON"),
}


async def test_replay_reports_each_bad_line_and_goes_on(tmp_path: Path, kafka_bootstrap: str) -> None:
    lines = [json.dumps({"title": "Good one", "body": "x"}).encode()]
    lines += [BAD_LINES[n][0] for n in sorted(BAD_LINES)]
    lines.append(json.dumps({"title": "Good two", "body": "y"}).encode())
    data = tmp_path / "articles.jsonl"
    data.write_bytes(b"\n".join(lines) + b"\n")
    config = isolated_config(tmp_path, kafka_bootstrap)
    config_file = write_config(tmp_path / "tocsin.toml", config)

    process = await asyncio.create_subprocess_exec(
        TOCSIN, "--config", str(config_file), "replay", str(data),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 1
    assert "Traceback" not in err.decode()
    reported = [line for line in err.decode().splitlines() if line.startswith(f"{data}:")]
    assert len(reported) == len(BAD_LINES), err.decode()
    for line, (number, (_, problem)) in zip(reported, sorted(BAD_LINES.items()), strict=True):
        assert line.startswith(f"{data}:{number}: ") and problem in line and len(line) < 500, line
    assert "replayed 2 articles" in out.decode() and f"{len(BAD_LINES)} bad lines left out" in out.decode()

    published = [Article.from_bytes(v) for _, v in await read_topic(kafka_bootstrap, f"{config['kafka']['topics']['prefix']}.articles")]
    assert [a.title for a in published] == ["Good one", "Good two"]
