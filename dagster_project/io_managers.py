"""Where asset values live between steps and runs: in the archive, never on a worker's disk."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from dagster import ConfigurableIOManager, InputContext, OutputContext

from dagster_project.resources import ArchiveResource
from xxgk.archive import Archive

_V = TypeVar("_V")


class ArchiveIOManager(ConfigurableIOManager):
    """Each partition's value pickled as a named object of the archive,
    `<prefix>/<asset>/<partition>.pickle`: on S3 in production, so that any worker reads what
    another stored, and a rerun of one asset finds its inputs whichever machine made them.

    A run materialises many partitions (portals) at once: the pipeline's values are mappings
    from partition key to that partition's value, stored one partition at a time, and read
    back as a mapping that unpickles a partition only when it is asked for, so a batch never
    holds more than one portal's value of an asset in memory."""

    archive: ArchiveResource
    prefix: str = "dagster"

    def key(self, asset: Sequence[str], partition: str | None = None) -> str:
        return "/".join([self.prefix, *asset, *([partition] if partition else [])]) + ".pickle"

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        archive = self.archive.open()
        if not context.has_asset_partitions:  # the site registry
            key = self.key(context.asset_key.path)
            digest = archive.put_named(key, pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))
            context.add_output_metadata({"archive_key": key, "archive_sha256": digest})
            return
        partitions = context.asset_partition_keys
        for partition in partitions:
            key = self.key(context.asset_key.path, partition)
            digest = archive.put_named(key, pickle.dumps(obj[partition], pickle.HIGHEST_PROTOCOL))
        if len(partitions) == 1:
            context.add_output_metadata({"archive_key": key, "archive_sha256": digest})
        else:  # one entry for all: each entry added per partition costs a listing of them all
            template = self.key(context.asset_key.path, "{partition}")
            context.add_output_metadata({"archive_key": template})

    def load_input(self, context: InputContext) -> Any:
        archive = self.archive.open()
        if not context.has_asset_partitions:
            return unpickle(archive, self.key(context.asset_key.path))
        return PortalValues(
            {
                partition: partial(unpickle, archive, self.key(context.asset_key.path, partition))
                for partition in context.asset_partition_keys
            }
        )


def unpickle(archive: Archive, key: str) -> Any:
    return pickle.loads(archive.get_named(key))


class PortalValues(Mapping[str, _V]):
    """An asset's value for the portals of a run: partition key → that portal's value, made
    (read back) each time it is asked for."""

    def __init__(self, loaders: dict[str, Callable[[], _V]]) -> None:
        self.loaders = loaders

    def __getitem__(self, partition: str) -> _V:
        return self.loaders[partition]()

    def __iter__(self) -> Iterator[str]:
        return iter(self.loaders)

    def __len__(self) -> int:
        return len(self.loaders)


class SpooledValues(PortalValues[_V]):
    """Partition key → its value, pickled to a temporary file as it is set: an asset builds its
    batch's values one portal at a time without holding them all."""

    def __init__(self) -> None:
        self.spool = tempfile.TemporaryDirectory(prefix="xxgk-values-")
        super().__init__({})

    def __setitem__(self, partition: str, value: _V) -> None:
        path = Path(self.spool.name) / f"{len(self.loaders)}.pickle"
        path.write_bytes(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        self.loaders[partition] = partial(unspool, path)


def unspool(path: Path) -> Any:
    return pickle.loads(path.read_bytes())
