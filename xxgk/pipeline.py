"""Run the Dagster pipeline job in-process on many portals (partitions) at once, and summarise."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path

from dagster import DagsterInstance, ExecuteInProcessResult
from dagster._core.instance.ref import InstanceRef
from tqdm import tqdm

import dagster_project
from dagster_project import event_log
from dagster_project.assets import unreachable_reason
from dagster_project.checks import identity_tally
from dagster_project.definitions import build_definitions
from dagster_project.environments import resources_for
from dagster_project.jobs import partition_ranges, range_tags
from dagster_project.partitions import site_partitions, start_url_for
from dagster_project.resources import migrate_once
from warehouse import Warehouse
from xxgk.logs import lines_above_bars
from xxgk.records import ERROR_KINDS, Capture, ParseResult
from xxgk.settings import Settings


@dataclass
class RunSummary:
    """What a run did; each portal that gave no report, by start URL, with the reason."""

    sites: int = 0
    unreachable: dict[str, str] = field(default_factory=dict)
    no_reports: dict[str, str] = field(default_factory=dict)
    pages_fetched: int = 0
    pages_unchanged: int = 0
    documents: int = 0
    reports_parsed: int = 0
    errors: Counter = field(default_factory=Counter)
    checks: Counter = field(default_factory=Counter)
    warehouse_rows: dict[str, int] = field(default_factory=dict)

    @property
    def failed_sites(self) -> list[str]:
        return list(self.unreachable)

    def add(self, result: ExecuteInProcessResult, keys: list[str]) -> None:
        """The run's portals, one at a time."""
        if not result.success:
            message, reasons = run_failure(result)
            for url in map(start_url_for, keys):
                self.unreachable[url] = reasons.get(url) or f"the run failed: {message}"
            self.errors["run_failed"] += len(keys)
            return
        by_site = {n: result.output_for_node(n) for n in ("captures", "documents", "reports")}
        for key in keys:
            captures, documents, reports = (values[key] for values in by_site.values())
            if not any(c.status for c in captures):
                self.unreachable[start_url_for(key)] = unreachable_reason(captures)
            elif not any(r.record is not None for r in reports):
                self.no_reports[start_url_for(key)] = no_reports_reason(captures, reports)
            self.pages_fetched += sum(c.sha256 is not None for c in captures)
            self.pages_unchanged += sum(c.status == HTTPStatus.NOT_MODIFIED for c in captures)
            self.documents += len(documents)
            self.reports_parsed += sum(r.record is not None for r in reports)
            self.errors.update(c.error.kind for c in captures if c.error)
            self.errors.update(r.error.kind for r in reports if r.error)
            self.checks.update(identity_tally(reports))


def run_failure(result: ExecuteInProcessResult) -> tuple[str, dict[str, str]]:
    """The first line of the first failed step's error, what stopped the run; and the reason of
    each portal it names in its metadata (by start URL: the portals that never answered)."""
    for event in result.get_step_failure_events():
        failure = event.step_failure_data
        if failure.error is not None:
            named = failure.user_failure_data.metadata if failure.user_failure_data else {}
            reasons = {url: str(entry.value) for url, entry in named.items()}
            return failure.error.message.strip().splitlines()[0], reasons
    return "no step said why", {}


def no_reports_reason(captures: list[Capture], reports: list[ParseResult]) -> str:
    """Why a portal that answered gave no report: no report column reached, a challenge, or
    what its documents' parsing said."""
    for kind in ("no_report_column", "blocked"):
        if error := next((c.error for c in captures if c.error and c.error.kind == kind), None):
            return f"{kind} ({error.message or ERROR_KINDS[kind]})"
    kinds = Counter(r.error.kind for r in reports if r.error)
    if kinds:
        return "documents unparsed: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    return "no report document among the pages fetched"


def run_pipeline(
    site_keys: list[str],
    settings: Settings,
    *,
    polite: bool = True,
    log_level: str = "INFO",
) -> RunSummary:
    """Materialise the pipeline's assets for each portal (a registry id, or a start URL's
    `site_key_for`), in this process: as few runs as the partitions' order allows (a run covers
    a range of it), up to PORTALS_PER_RUN portals each, each run's portals crawled by one crawl.
    The runs go to the Dagster instance of `DAGSTER_HOME`, else to `<data>/dagster_home` (the
    one `xxgk ui` shows), so that the next run of a portal recrawls only what changed since its
    last materialisation."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    job = build_definitions(resources_for(settings, polite=polite)).resolve_job_def("pipeline")
    keys = list(dict.fromkeys(site_keys))
    summary = RunSummary(sites=len(keys))
    with dagster_instance(settings) as instance:
        known = set(instance.get_dynamic_partitions(site_partitions.name))
        instance.add_dynamic_partitions(site_partitions.name, [k for k in keys if k not in known])
        ordered = instance.get_dynamic_partitions(site_partitions.name)
        progress = tqdm(total=len(keys), desc="portals", unit="site", disable=None)
        with lines_above_bars():
            for batch in partition_ranges(ordered, set(keys)):
                with hidden(progress):
                    result = job.execute_in_process(
                        tags=range_tags(batch),
                        instance=instance,
                        raise_on_error=False,
                        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
                    )
                summary.add(result, batch)
                progress.update(len(batch))
        progress.close()
    migrate_once(settings.database_url)  # done by the runs already, unless every one failed
    summary.warehouse_rows = Warehouse(settings.database_url).counts()
    return summary


@contextmanager
def hidden(bar: tqdm) -> Iterator[None]:
    """`bar` off the terminal while a run draws its own (the crawl's pages, in a process that
    cannot see this one's bars; the documents parsed) and writes its lines."""
    shown = not bar.disable
    bar.clear()
    bar.disable = True
    try:
        yield
    finally:
        bar.disable = not shown


def dagster_instance(settings: Settings) -> DagsterInstance:
    """The instance of `DAGSTER_HOME`, else of `<data>/dagster_home`, as this command runs it:
    no telemetry; on a terminal, the runs' output straight to it (Dagster's compute-log capture
    would put it through a file, and the progress bars would never see a terminal)."""
    home = Path(os.environ.get("DAGSTER_HOME") or settings.data_dir / "dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    install_instance_config(home)
    overrides: dict = {"telemetry": {"enabled": False}}
    if sys.stderr.isatty():
        overrides["compute_logs"] = {
            "module": "dagster._core.storage.noop_compute_log_manager",
            "class": "NoOpComputeLogManager",
        }
    return DagsterInstance.from_ref(InstanceRef.from_dir(str(home), overrides=overrides))


def install_instance_config(home: Path) -> None:
    """The run queue and the crawl pool (`dagster_project/dagster.yaml`) and the event log
    (`dagster_project.event_log`), unless the home has an instance configuration of its own; and
    the UI's community sign-up marked as seen (as its Skip button does: `<home>/.nux/nux.yaml`),
    for it would load a page from dagster.io."""
    config = home / "dagster.yaml"
    if not config.exists():
        settings = (Path(dagster_project.__file__).parent / "dagster.yaml").read_text("utf-8")
        config.write_text(f"{settings}{event_log.instance_config(home)}", encoding="utf-8")
    (home / ".nux").mkdir(exist_ok=True)
    (home / ".nux" / "nux.yaml").write_text("seen: 1\n", encoding="utf-8")
