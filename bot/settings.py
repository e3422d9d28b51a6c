"""Settings from the environment and an optional ``.env`` file (never logged)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import load_dotenv


def _int_set(raw: str) -> frozenset[int]:
    return frozenset(int(part) for part in raw.replace(",", " ").split() if part.strip())


@dataclass(frozen=True)
class Settings:
    """Every setting named in DESIGN.md, with its default."""

    telegram_bot_token: str = field(default="", repr=False)
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_proxy: str = ""
    telegram_webhook_secret: str = field(default="", repr=False)
    admin_ids: frozenset[int] = frozenset()
    data_dir: Path = Path("data")
    corpus_dir: Path = Path("../shared/regulations")
    database_url: str = ""
    chroma_host: str = ""
    chroma_port: int = 8000
    embedding_backend: str = "e5"
    embedding_model: str = ""
    llm_base_url: str = ""
    llm_api_key: str = field(default="", repr=False)
    llm_model: str = ""
    llm_timeout_s: float = 20.0
    questions_per_minute: int = 10
    session_gap_minutes: int = 30
    db_statement_timeout_s: float = 2.0
    db_sqlite_busy_timeout_s: float = 5.0
    db_pool_timeout_s: float = 2.0
    db_connect_timeout_s: float = 5.0
    spool_replay_s: float = 60.0

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'pufa.sqlite3').resolve()}"

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    @classmethod
    def from_env(cls, env_file: str | os.PathLike[str] | None = ".env") -> Settings:
        """Read the environment, after loading ``env_file`` (existing variables win)."""
        if env_file and Path(env_file).is_file():
            load_dotenv(env_file, override=False)
        env = os.environ
        return cls(
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN", ""),
            telegram_api_base_url=env.get("TELEGRAM_API_BASE_URL") or cls.telegram_api_base_url,
            telegram_proxy=env.get("TELEGRAM_PROXY", ""),
            telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET", ""),
            admin_ids=_int_set(env.get("PUFA_ADMIN_IDS", "")),
            data_dir=Path(env.get("PUFA_DATA_DIR") or cls.data_dir),
            corpus_dir=Path(env.get("PUFA_CORPUS_DIR") or cls.corpus_dir),
            database_url=env.get("DATABASE_URL", ""),
            chroma_host=env.get("CHROMA_HOST", ""),
            chroma_port=int(env.get("CHROMA_PORT") or cls.chroma_port),
            embedding_backend=env.get("EMBEDDING_BACKEND") or cls.embedding_backend,
            embedding_model=env.get("EMBEDDING_MODEL", ""),
            llm_base_url=env.get("LLM_BASE_URL", ""),
            llm_api_key=env.get("LLM_API_KEY", ""),
            llm_model=env.get("LLM_MODEL", ""),
            llm_timeout_s=float(env.get("LLM_TIMEOUT_S") or cls.llm_timeout_s),
            questions_per_minute=int(env.get("PUFA_QUESTIONS_PER_MINUTE") or cls.questions_per_minute),
            session_gap_minutes=int(env.get("PUFA_SESSION_GAP_MINUTES") or cls.session_gap_minutes),
            db_statement_timeout_s=float(
                env.get("PUFA_DB_STATEMENT_TIMEOUT_S") or cls.db_statement_timeout_s
            ),
            db_sqlite_busy_timeout_s=float(
                env.get("PUFA_DB_SQLITE_BUSY_TIMEOUT_S") or cls.db_sqlite_busy_timeout_s
            ),
            db_pool_timeout_s=float(env.get("PUFA_DB_POOL_TIMEOUT_S") or cls.db_pool_timeout_s),
            db_connect_timeout_s=float(env.get("PUFA_DB_CONNECT_TIMEOUT_S") or cls.db_connect_timeout_s),
            spool_replay_s=float(env.get("PUFA_SPOOL_REPLAY_S") or cls.spool_replay_s),
        )
