"""Where the pipeline keeps its data: embedded defaults, overridden by environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = Path("data")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    archive_url: str

    @classmethod
    def from_env(cls, data_dir: str | Path | None = None) -> Settings:
        """`XXGK_DATABASE_URL` and `XXGK_ARCHIVE_URL` win; otherwise SQLite and a local
        archive under the data directory (`XXGK_DATA_DIR`, default `data/`)."""
        root = Path(data_dir or os.environ.get("XXGK_DATA_DIR") or DEFAULT_DATA_DIR)
        database_url = os.environ.get("XXGK_DATABASE_URL") or sqlite_url(root / "warehouse.db")
        archive_url = os.environ.get("XXGK_ARCHIVE_URL") or str((root / "archive").resolve())
        return cls(data_dir=root, database_url=database_url, archive_url=archive_url)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"
