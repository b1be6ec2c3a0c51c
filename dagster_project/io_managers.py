"""Where asset values live between steps and runs: in the archive, never on a worker's disk."""

from __future__ import annotations

import pickle
from typing import Any

from dagster import ConfigurableIOManager, InputContext, OutputContext

from dagster_project.resources import ArchiveResource


class ArchiveIOManager(ConfigurableIOManager):
    """Each asset value (each partition's) pickled as a named object of the archive,
    `<prefix>/<asset>/<partition>.pickle`: on S3 in production, so that any worker reads what
    another stored, and a rerun of one asset finds its inputs whichever machine made them."""

    archive: ArchiveResource
    prefix: str = "dagster"

    def key(self, context: InputContext | OutputContext) -> str:
        return "/".join([self.prefix, *context.get_asset_identifier()]) + ".pickle"

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        key = self.key(context)
        digest = self.archive.open().put_named(key, pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))
        context.add_output_metadata({"archive_key": key, "archive_sha256": digest})

    def load_input(self, context: InputContext) -> Any:
        return pickle.loads(self.archive.open().get_named(self.key(context)))
