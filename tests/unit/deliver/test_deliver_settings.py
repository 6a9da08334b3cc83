from __future__ import annotations

from pathlib import Path

import pytest

from tocsin.settings import ConfigError, load_settings

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "tocsin.toml"
    path.write_text(text)
    return load_settings(path)


def endpoint(extra: str) -> str:
    return f'[[webhooks.endpoints]]\nname = "a"\nurl = "https://hooks.example/a"\n{extra}\n'


def test_secret_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    (e,) = load(tmp_path, endpoint('secret_env = "HOOK_SECRET"')).webhooks.endpoints
    assert [k.get_secret_value() for k in e.signing_secrets] == [SECRET]
    assert SECRET not in repr(e) and SECRET not in str(e.model_dump())


def test_secret_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text(SECRET + "\n")
    (e,) = load(tmp_path, endpoint(f'secret_file = "{tmp_path / "secret"}"')).webhooks.endpoints
    assert [k.get_secret_value() for k in e.signing_secrets] == [SECRET]


def test_a_bad_secret_is_refused_without_being_echoed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, endpoint('secret = "hunter2-is-my-password"'))
    assert "hunter2" not in str(caught.value) and "webhooks.endpoints.0" in str(caught.value)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('secret_env = "NOT_SET_ANYWHERE_42"', "NOT_SET_ANYWHERE_42 is not set"),
        (f'secret = "{SECRET}"\nsecret_env = "X"', "at most one of"),
        ('format = "telegram"', "telegram_chat_id"),
        ('format = "fax"', "webhooks.endpoints.0.format"),
        ("[webhooks.endpoints.filters]\nkinds = ['rumour']", "webhooks.endpoints.0.filters.kinds.0"),
    ],
)
def test_bad_endpoints(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load(tmp_path, endpoint(extra))


def test_slack_is_paced_to_one_message_a_second_by_default(tmp_path: Path) -> None:
    (e,) = load(tmp_path, endpoint('format = "slack"')).webhooks.endpoints
    assert e.requests_per_second == 1.0


OTHER = "whsec_" + "R0tat3" * 6


def test_several_secrets_for_a_rotation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (e,) = load(tmp_path, endpoint(f'secrets = ["{OTHER}", "{SECRET}"]')).webhooks.endpoints
    assert [k.get_secret_value() for k in e.signing_secrets] == [OTHER, SECRET]
    monkeypatch.setenv("HOOK_SECRETS", f"{OTHER} {SECRET}")
    (e,) = load(tmp_path, endpoint('secret_env = "HOOK_SECRETS"')).webhooks.endpoints
    assert len(e.signing_secrets) == 2
    (tmp_path / "keys").write_text(f"{OTHER}\n{SECRET}\n")
    (e,) = load(tmp_path, endpoint(f'secret_file = "{tmp_path / "keys"}"')).webhooks.endpoints
    assert len(e.signing_secrets) == 2


def test_a_bad_second_secret_is_named_by_position_not_echoed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, endpoint(f'secrets = ["{SECRET}", "whsec_hunter2"]'))
    assert "secret 2 of 2" in str(caught.value) and "hunter2" not in str(caught.value)


def test_an_empty_secret_file_is_refused_not_taken_as_unsigned(tmp_path: Path) -> None:
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(ConfigError, match="is empty"):
        load(tmp_path, endpoint(f'secret_file = "{tmp_path / "empty"}"'))
