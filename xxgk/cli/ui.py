"""`xxgk ui`: the Dagster UI (`dagster dev`) on 127.0.0.1, with its run queue."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from xxgk.settings import Settings

#: The checkout's workspace file; an installed package has only the code location's module.
WORKSPACE = Path(__file__).resolve().parents[2] / "workspace.yaml"


def register(commands: argparse._SubParsersAction) -> None:
    ui = commands.add_parser("ui", help="start the Dagster UI on 127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(handle=handle)


def dagster_executable() -> str:
    """`dagster` beside this Python (its environment's `bin`, on PATH or not), else on PATH."""
    beside = Path(sys.executable).with_name("dagster")
    return str(beside) if beside.exists() else shutil.which("dagster") or "dagster"


def handle(args: argparse.Namespace) -> int:
    import dagster_project

    settings = Settings.from_env()
    home = (settings.data_dir / "dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DAGSTER_HOME", str(home))
    instance_config = Path(os.environ["DAGSTER_HOME"]) / "dagster.yaml"
    if not instance_config.exists():  # the run queue: one run per portal host at a time
        shutil.copy(Path(dagster_project.__file__).parent / "dagster.yaml", instance_config)
    location = (
        ["-w", str(WORKSPACE)] if WORKSPACE.exists() else ["-m", "dagster_project.definitions"]
    )
    command = [dagster_executable(), "dev", *location, "-h", "127.0.0.1", "-p", str(args.port)]
    return subprocess.call(command)
