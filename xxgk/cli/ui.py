"""`xxgk ui`: the Dagster UI (`dagster dev`) on 127.0.0.1, with its run queue, on the Dagster
home the other commands record their runs in; with `--demo`, the demo portal served beside it."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from xxgk.cli.demo import DEMO_PORT, demo_portal
from xxgk.settings import Settings

#: The checkout's workspace file; an installed package has only the code location's module.
WORKSPACE = Path(__file__).resolve().parents[2] / "workspace.yaml"
#: How long `dagster dev` may take to stop its webserver, daemon and code servers.
SHUTDOWN_SECONDS = 60
#: What Dagster's processes warn of that is Dagster's own business (`PYTHONWARNINGS` filters
#: by message prefix): `dagster dev` superseded by `dg dev`, the beta and preview parameters.
DAGSTER_WARNINGS_IGNORED = (
    "ignore:Function `dev_command` is superseded",
    "ignore:Parameter `backfill_policy`",
    "ignore:Specifying a partitions_def on an AssetCheckSpec",
)


def register(commands: argparse._SubParsersAction) -> None:
    ui = commands.add_parser("ui", help="start the Dagster UI on 127.0.0.1")
    ui.add_argument("--port", type=int, default=3000, help="port of the UI (default 3000)")
    ui.add_argument("--data", help="data directory (default: XXGK_DATA_DIR, else data/)")
    ui.add_argument(
        "--demo",
        action="store_true",
        help="also serve the demo portal while the UI runs, as a partition to materialise",
    )
    ui.add_argument(
        "--demo-port",
        type=int,
        default=DEMO_PORT,
        help=f"port of the demo portal (default {DEMO_PORT}, as `xxgk demo`'s: its partition)",
    )
    ui.set_defaults(handle=handle)


def dagster_executable() -> str:
    """`dagster` beside this Python (its environment's `bin`, on PATH or not), else on PATH."""
    beside = Path(sys.executable).with_name("dagster")
    return str(beside) if beside.exists() else shutil.which("dagster") or "dagster"


def handle(args: argparse.Namespace) -> int:
    from dagster_project.partitions import site_key_for, site_partitions
    from xxgk.pipeline import dagster_instance

    settings = Settings.from_env(args.data)
    with dagster_instance(settings) as instance:  # the one `xxgk demo` and `xxgk run` record in
        home = Path(instance.root_directory)
    env = os.environ | {
        "DAGSTER_HOME": str(home),
        "XXGK_DATA_DIR": str(settings.data_dir.resolve()),  # the code location's settings
        "PYTHONWARNINGS": ",".join(
            filter(None, [os.environ.get("PYTHONWARNINGS"), *DAGSTER_WARNINGS_IGNORED])
        ),
    }
    command = [
        dagster_executable(),
        "dev",
        *(["-w", str(WORKSPACE)] if WORKSPACE.exists() else ["-m", "dagster_project.definitions"]),
        "-h", "127.0.0.1",
        "-p", str(args.port),
        "--log-level", args.log_level.lower(),
    ]  # fmt: skip
    if not args.demo:
        return serve(command, env)
    portal = demo_portal("ui", args.demo_port, "--demo-port")
    if portal is None:
        return 2
    with portal, dagster_instance(settings) as instance:
        instance.add_dynamic_partitions(site_partitions.name, [site_key_for(portal.url)])
        print(f"xxgk ui: the demo portal {portal.url} is a partition of `sites`", file=sys.stderr)
        return serve(command, env)


def serve(command: list[str], env: dict[str, str]) -> int:
    """Run `dagster dev` in a process group of its own until it exits, or until Ctrl-C or
    SIGTERM: then `dagster dev` stops its webserver, daemon and code servers (killed, group and
    all, if they are not gone within SHUTDOWN_SECONDS). Our handlers are in place before it
    starts, so it gets the default ones even where we were started with SIGINT ignored (`&` in a
    script), which it would inherit and, mapping SIGTERM to SIGINT, ignore SIGTERM too."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.default_int_handler)
    process = subprocess.Popen(command, env=env, process_group=0)
    try:
        return process.wait()
    except KeyboardInterrupt:
        for signum in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C: the same shutdown
            signal.signal(signum, signal.SIG_IGN)
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=SHUTDOWN_SECONDS)
        return 0
    finally:
        with contextlib.suppress(ProcessLookupError):  # whatever of its group is left
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
