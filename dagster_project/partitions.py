"""One dynamic partition per portal: its registry id (e.g. the adcode `410326`) or, for portals
outside the registry, its start URL percent-encoded (partition keys name storage paths, where
`http://` would read as a protocol)."""

from __future__ import annotations

from urllib.parse import quote, unquote

from dagster import BackfillPolicy, DynamicPartitionsDefinition, Failure

from xxgk.registry import Site, sites_by_id, sites_by_start_url

site_partitions = DynamicPartitionsDefinition(name="sites")

#: Portals one run materialises, all crawled by one crawl: wide enough that a crawl keeps
#: hundreds of hosts in flight, bounded so that a run's crawl state and a failed run's rerun
#: stay small. A backfill of the whole registry is a dozen runs.
PORTALS_PER_RUN = 300
PORTAL_BATCHES = BackfillPolicy.multi_run(max_partitions_per_run=PORTALS_PER_RUN)
#: The concurrency pool of the crawl step. dagster.yaml gives it one slot: one crawl at a time
#: on an instance, however it was launched, so that no host is crawled by two runs at once.
CRAWL_POOL = "crawl"


def site_key_for(start_url: str) -> str:
    return quote(start_url, safe="")


def registry_site(site_key: str) -> Site | None:
    return sites_by_id().get(site_key)


def portal_name(site_key: str) -> str | None:
    """The region of the partition's portal as an operator reads it (`河南省 洛阳市 汝阳县`), by
    its registry id or its start URL; None for a portal outside the registry."""
    url = key_url(site_key)
    site = sites_by_start_url().get(url) if url else registry_site(site_key)
    return " ".join(filter(None, (site.province, site.city, site.county))) if site else None


def portal_metadata(site_key: str) -> dict[str, str]:
    """What every materialisation of a partition says of its portal: its region and start URL."""
    name = portal_name(site_key)
    return {**({"portal": name} if name else {}), "start_url": start_url_for(site_key)}


def key_url(site_key: str) -> str | None:
    """The start URL a partition key of a portal outside the registry encodes, else None."""
    return unquote(site_key) if site_key.startswith(("http%3A", "https%3A")) else None


def start_url_for(site_key: str) -> str:
    if url := key_url(site_key):
        return url
    site = registry_site(site_key)
    if site is None:
        raise Failure(
            f"Site {site_key!r} is neither a URL nor an id of the site registry.",
            allow_retries=False,
        )
    return site.start_url
