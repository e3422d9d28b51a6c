"""Settings from the environment and an optional ``.env`` file, read and checked once at start-up.

``Settings(...)`` holds the defaults and the values given (tests, benchmarks); ``Settings.from_env()`` reads
the environment (real variables win over ``.env``) and turns every malformed variable into one ConfigError
line naming the variable and what it expects. Secrets are ``SecretStr``: never printed, never logged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from knowledge.errors import ConfigError
from knowledge.llm.composer import LlmConfig
from knowledge.templates import text


def _env(name: str, variable: str) -> Any:
    """A field read from ``variable`` (and settable by ``name`` in code)."""
    return AliasChoices(name, variable)


class Settings(BaseSettings):
    """Every setting named in DESIGN.md, with its default; see .env.example for what each one does."""

    model_config = SettingsConfigDict(
        frozen=True, extra="ignore", populate_by_name=True, env_ignore_empty=True, env_file_encoding="utf-8"
    )
    _reads_environment: ClassVar[bool] = False

    telegram_bot_token: SecretStr = SecretStr("")
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_proxy: str = ""
    telegram_webhook_secret: SecretStr = SecretStr("")
    # How long a Bot API response is waited for; a message whose response comes later is not posted again.
    telegram_read_timeout_s: float = Field(15.0, gt=0, le=300)
    # The bot's @name, printed with a QR code on handouts so units can reach it ("" leaves both out).
    bot_username: str = Field(
        "",
        pattern=r"^(?:@?[A-Za-z][A-Za-z0-9_]{4,31})?$",
        validation_alias=_env("bot_username", "PUFA_BOT_USERNAME"),
    )
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(
        frozenset(), validation_alias=_env("admin_ids", "PUFA_ADMIN_IDS")
    )
    data_dir: Path = Field(Path("data"), validation_alias=_env("data_dir", "PUFA_DATA_DIR"))
    corpus_dir: Path = Field(
        Path("../shared/regulations"), validation_alias=_env("corpus_dir", "PUFA_CORPUS_DIR")
    )
    cases_dir: Path = Field(Path("../shared/cases"), validation_alias=_env("cases_dir", "PUFA_CASES_DIR"))
    database_url: str = ""
    chroma_host: str = ""
    chroma_port: int = Field(8000, ge=1, le=65535)
    embedding_backend: Literal["e5", "sentence-transformers"] = "e5"
    embedding_model: str = ""
    llm_base_url: str = ""
    llm_api_key: SecretStr = SecretStr("")
    llm_model: str = ""
    llm_timeout_s: float = Field(20.0, gt=0, le=600)
    questions_per_minute: int = Field(
        10, ge=1, le=1000, validation_alias=_env("questions_per_minute", "PUFA_QUESTIONS_PER_MINUTE")
    )
    # every update (command, button, file, question) one user may send per minute; the excess is dropped
    updates_per_minute: int = Field(
        30, ge=1, le=10000, validation_alias=_env("updates_per_minute", "PUFA_UPDATES_PER_MINUTE")
    )
    session_gap_minutes: int = Field(
        30, ge=1, le=24 * 60, validation_alias=_env("session_gap_minutes", "PUFA_SESSION_GAP_MINUTES")
    )
    training_required_hours: float = Field(
        60.0, gt=0, le=2000, validation_alias=_env("training_required_hours", "PUFA_TRAINING_REQUIRED_HOURS")
    )
    # quiz practice counted as self-study (自学/练习) at this rate
    quiz_minutes_per_question: float = Field(
        2.0,
        gt=0,
        le=120,
        validation_alias=_env("quiz_minutes_per_question", "PUFA_QUIZ_MINUTES_PER_QUESTION"),
    )

    db_statement_timeout_s: float = Field(
        2.0, gt=0, le=600, validation_alias=_env("db_statement_timeout_s", "PUFA_DB_STATEMENT_TIMEOUT_S")
    )
    db_sqlite_busy_timeout_s: float = Field(
        5.0, gt=0, le=600, validation_alias=_env("db_sqlite_busy_timeout_s", "PUFA_DB_SQLITE_BUSY_TIMEOUT_S")
    )
    db_pool_timeout_s: float = Field(
        2.0, gt=0, le=600, validation_alias=_env("db_pool_timeout_s", "PUFA_DB_POOL_TIMEOUT_S")
    )
    db_connect_timeout_s: float = Field(
        5.0, gt=0, le=600, validation_alias=_env("db_connect_timeout_s", "PUFA_DB_CONNECT_TIMEOUT_S")
    )
    spool_replay_s: float = Field(
        60.0, gt=0, le=86400, validation_alias=_env("spool_replay_s", "PUFA_SPOOL_REPLAY_S")
    )
    # a question claimed by a process that never answered it is taken over after this many seconds
    turn_claim_lease_s: float = Field(
        300.0, gt=0, le=86400, validation_alias=_env("turn_claim_lease_s", "PUFA_TURN_CLAIM_LEASE_S")
    )
    # quiz credit: an answer given sooner than this after its question earns nothing; at most this many
    # credited questions per person and day
    quiz_min_seconds_per_question: float = Field(
        10.0,
        ge=0,
        le=3600,
        validation_alias=_env("quiz_min_seconds_per_question", "PUFA_QUIZ_MIN_SECONDS_PER_QUESTION"),
    )
    quiz_daily_credited_questions: int = Field(
        60,
        ge=1,
        le=10000,
        validation_alias=_env("quiz_daily_credited_questions", "PUFA_QUIZ_DAILY_CREDITED_QUESTIONS"),
    )
    # uploads and imports (units, sessions): refused before parsing when larger
    upload_max_bytes: int = Field(
        5 * 1024 * 1024,
        ge=1024,
        le=1 << 30,
        validation_alias=_env("upload_max_bytes", "PUFA_UPLOAD_MAX_BYTES"),
    )
    upload_max_rows: int = Field(
        20000, ge=1, le=1_000_000, validation_alias=_env("upload_max_rows", "PUFA_UPLOAD_MAX_ROWS")
    )

    # the web console and public chat (``pufa web``)
    web_host: str = Field("127.0.0.1", min_length=1, validation_alias=_env("web_host", "PUFA_WEB_HOST"))
    web_port: int = Field(8080, ge=1, le=65535, validation_alias=_env("web_port", "PUFA_WEB_PORT"))
    web_secret_key: SecretStr = Field(
        SecretStr(""), validation_alias=_env("web_secret_key", "PUFA_WEB_SECRET_KEY")
    )
    web_dev: bool = Field(False, validation_alias=_env("web_dev", "PUFA_WEB_DEV"))
    web_https: bool = Field(False, validation_alias=_env("web_https", "PUFA_WEB_HTTPS"))

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Plain construction reads no environment (only defaults and the values given); ``from_env`` does."""
        if cls._reads_environment:
            return (init_settings, env_settings, dotenv_settings)
        return (init_settings,)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _id_list(cls, value: object) -> object:
        if isinstance(value, str):
            parts = value.replace(",", " ").split()
            if not all(part.isascii() and part.lstrip("-").isdigit() for part in parts):
                raise ValueError("not a list of integers")
            return frozenset(int(part) for part in parts)
        return value

    @field_validator("llm_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("not an http(s) URL")
        return value

    @classmethod
    def from_env(cls, env_file: str | Path | None = ".env") -> Settings:
        """The settings of this process; ConfigError naming each malformed variable."""
        try:
            return _FromEnvironment(_env_file=env_file)
        except ValidationError as exc:
            raise ConfigError(_describe(exc)) from None

    def with_changes(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied and checked like the rest."""
        values = {name: getattr(self, name) for name in type(self).model_fields}
        return Settings(**(values | changes))

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'pufa.sqlite3').resolve()}"

    @property
    def llm(self) -> LlmConfig | None:
        """The LLM endpoint, or None when ``LLM_BASE_URL`` and ``LLM_MODEL`` are not both set."""
        if not (self.llm_base_url and self.llm_model):
            return None
        return LlmConfig(
            self.llm_base_url, self.llm_api_key.get_secret_value(), self.llm_model, self.llm_timeout_s
        )

    def secrets(self) -> list[str]:
        """The secret values, for the log redactor."""
        secrets = (self.telegram_bot_token, self.telegram_webhook_secret, self.llm_api_key, self.web_secret_key)
        return [value for secret in secrets if (value := secret.get_secret_value())]


class _FromEnvironment(Settings):
    """Settings read from the environment, then ``.env``."""

    _reads_environment: ClassVar[bool] = True


def _variable(field: str) -> str:
    """The environment variable of ``field``."""
    alias = Settings.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[-1])
    return field.upper()


def _describe(error: ValidationError) -> str:
    """One line naming every malformed variable, its value and what it expects."""
    fields = {name: name for name in Settings.model_fields}
    fields |= {_variable(name).lower(): name for name in Settings.model_fields}
    problems = []
    for item in error.errors():
        field = fields.get(str(item["loc"][0]).lower(), str(item["loc"][0]))
        secret = (
            Settings.model_fields[field].annotation is SecretStr if field in Settings.model_fields else False
        )
        value = "***" if secret else item.get("input", "")
        expected = text("settings", f"expected.{field}") if field in Settings.model_fields else item["msg"]
        problems.append(
            text("settings", "problem", variable=_variable(field), value=value, expected=expected)
        )
    return text("settings", "invalid", problems="；".join(problems))
