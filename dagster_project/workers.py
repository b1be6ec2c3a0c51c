"""Runs executed by workers on other machines, through dagster-celery: the executor a production
run sends its steps with, and the Celery app the workers run, one configuration for both.

    celery -A dagster_project.workers worker --pool solo --concurrency 1 --queues dagster \
        --hostname NAME@%h

The broker is RabbitMQ (`DAGSTER_CELERY_BROKER_URL`, read at run time by the run and at start by
a worker): a worker acknowledges a step only once it has run it (`task_acks_late`), and holds
one step at a time (`worker_prefetch_multiplier` 1 and `--concurrency 1`: the solo pool's
default concurrency is the core count, which would reserve a second step), so when a worker's
machine dies its connection closes and the broker hands its step to another worker at once.
(Redis would hand it back only after its visibility timeout, an hour by default.) Results come
back over the broker (`rpc://`).
"""

from __future__ import annotations

import os
from functools import cache

from celery import Celery
from dagster import ExecutorDefinition
from dagster_celery import celery_executor
from dagster_celery.config import DEFAULT_CONFIG, dict_wrapper
from dagster_celery.make_app import make_app
from dagster_celery.tasks import create_task

BROKER_VARIABLE = "DAGSTER_CELERY_BROKER_URL"
BACKEND = "rpc://"
#: Celery settings the run's side and the workers' share.
CELERY_SETTINGS = {
    "task_acks_late": True,
    "task_reject_on_worker_lost": True,
    "worker_prefetch_multiplier": 1,
    "broker_connection_retry_on_startup": True,
}

production_executor: ExecutorDefinition = celery_executor.configured(
    {"broker": {"env": BROKER_VARIABLE}, "backend": BACKEND, "config_source": CELERY_SETTINGS},
    name="celery_workers",
)


@cache
def worker_app() -> Celery:
    """The app a worker runs: dagster-celery's task that executes a step, on the broker of
    `DAGSTER_CELERY_BROKER_URL`, with the settings the run's side has."""
    app = make_app(
        {
            "broker": os.environ[BROKER_VARIABLE],
            "backend": BACKEND,
            "include": [],
            "config_source": dict_wrapper({**DEFAULT_CONFIG, **CELERY_SETTINGS}),
        }
    )
    create_task(app)
    return app


def __getattr__(name: str) -> Celery:
    if name == "app":  # what `celery -A dagster_project.workers` looks for
        return worker_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
