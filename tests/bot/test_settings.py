"""Settings are read and checked once: each malformed variable is named with what it expects."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings
from knowledge.errors import ConfigError

CLEAN = ("PUFA_", "TELEGRAM_", "LLM_", "CHROMA_", "EMBEDDING_", "DATABASE_URL")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith(CLEAN):
            monkeypatch.delenv(name)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("PUFA_ADMIN_IDS", "12,abc", "整数"),
        ("LLM_TIMEOUT_S", "soon", "秒数"),
        ("LLM_TIMEOUT_S", "-3", "秒数"),
        ("LLM_BASE_URL", "localhost:8000/v1", "http://"),
        ("CHROMA_PORT", "99999", "端口"),
        ("EMBEDDING_BACKEND", "word2vec", "sentence-transformers"),
        ("PUFA_QUESTIONS_PER_MINUTE", "0", "整数"),
    ],
)
def test_each_bad_variable_is_named_with_what_it_expects(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as raised:
        Settings.from_env(None)
    message = str(raised.value)
    assert f"{variable}={value!r}" in message and expected in message and "\n" not in message


def test_two_bad_variables_are_both_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUFA_ADMIN_IDS", "x")
    monkeypatch.setenv("CHROMA_PORT", "port")
    message = str(pytest.raises(ConfigError, Settings.from_env, None).value)
    assert "PUFA_ADMIN_IDS" in message and "CHROMA_PORT" in message


def test_secrets_are_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_API_KEY", "sk-very-secret")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:secret-token")
    settings = Settings.from_env(None)
    assert "sk-very-secret" not in repr(settings) and "secret-token" not in str(settings)
    assert set(settings.secrets()) == {"sk-very-secret", "123456:secret-token"}


def test_environment_wins_over_dotenv_and_empty_means_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PUFA_DATA_DIR=from-file\nPUFA_ADMIN_IDS=1 2\nLLM_TIMEOUT_S=\n", encoding="utf-8")
    monkeypatch.setenv("PUFA_DATA_DIR", "from-env")
    settings = Settings.from_env(env_file)
    assert settings.data_dir == Path("from-env")
    assert settings.admin_ids == frozenset({1, 2})
    assert settings.llm_timeout_s == 20.0 and settings.llm is None


def test_plain_construction_reads_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUFA_DATA_DIR", "elsewhere")
    assert Settings().data_dir == Path("data")
    assert Settings().with_changes(llm_base_url="http://127.0.0.1:9/v1", llm_model="m").llm is not None
