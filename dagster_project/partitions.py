"""One dynamic partition per portal: its registry id (e.g. the adcode `410326`) or, for portals
outside the registry, its start URL percent-encoded (partition keys name storage paths, where
`http://` would read as a protocol)."""

from __future__ import annotations

from urllib.parse import quote, unquote

from dagster import DynamicPartitionsDefinition, Failure

from xxgk.registry import Site, sites_by_id

site_partitions = DynamicPartitionsDefinition(name="sites")


def site_key_for(start_url: str) -> str:
    return quote(start_url, safe="")


def registry_site(site_key: str) -> Site | None:
    return sites_by_id().get(site_key)


def start_url_for(site_key: str) -> str:
    if site_key.startswith(("http%3A", "https%3A")):
        return unquote(site_key)
    site = registry_site(site_key)
    if site is None:
        raise Failure(
            f"Site {site_key!r} is neither a URL nor an id of the site registry.",
            allow_retries=False,
        )
    return site.start_url
