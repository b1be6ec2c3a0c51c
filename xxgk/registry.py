"""The site registry: one entry per government portal, keyed by its GB/T 2260 code.

`xxgk/data/sites.jsonl` is generated from a portal list (province, city, county, url per line)
and committed:

    python -m xxgk.registry build /work/shared/data/portals.jsonl
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from tabulate import tabulate

from parsers.region import resolve_region

log = logging.getLogger(__name__)

SITES_PATH = Path(__file__).resolve().parent / "data" / "sites.jsonl"
LEVELS = ("province", "prefecture", "county")
SITE_COLUMNS = ("id", "level", "province", "city", "county", "start_url")


@dataclass(frozen=True)
class Site:
    id: str
    province: str
    city: str | None
    county: str | None
    adcode: str | None
    level: str  # one of LEVELS
    start_url: str
    host: str


@cache
def registered_sites() -> tuple[Site, ...]:
    """The packaged registry, read once per process."""
    text = (resources.files("xxgk") / "data" / "sites.jsonl").read_text(encoding="utf-8")
    return tuple(Site(**json.loads(line)) for line in text.splitlines() if line.strip())


@cache
def sites_by_id() -> dict[str, Site]:
    return {site.id: site for site in registered_sites()}


@cache
def sites_by_start_url() -> dict[str, Site]:
    return {site.start_url: site for site in registered_sites()}


def load_sites(filter: str | None = None) -> list[Site]:
    """All sites, or those whose province, city, county, host or id contains `filter`
    (case-insensitive); `adcode:41*` matches adcodes against a shell-style pattern."""
    sites = list(registered_sites())
    if not filter:
        return sites
    if filter.startswith("adcode:"):
        pattern = filter.removeprefix("adcode:")
        return [s for s in sites if s.adcode and fnmatchcase(s.adcode, pattern)]
    needle = filter.casefold()
    return [
        s
        for s in sites
        if any(
            needle in value.casefold()
            for value in (s.province, s.city, s.county, s.host, s.id)
            if value
        )
    ]


def sites_table(sites: Iterable[Site]) -> str:
    """A plain-text table, padded for wide (CJK) characters."""
    rows = [(s.id, s.level, s.province, s.city, s.county, s.start_url) for s in sites]
    return tabulate(rows, headers=SITE_COLUMNS, tablefmt="plain", disable_numparse=True)


def _level(names: Mapping[str, str | None]) -> str:
    return "county" if names["county"] else "prefecture" if names["city"] else "province"


def _resolve(portal: Mapping[str, str | None]) -> dict | None:
    """The portal's division, matched on its deepest name within its province; the city is
    added when that name alone is ambiguous. A match at a higher level than the portal's
    deepest name (e.g. the name is not in the table) does not count."""
    province, city, county = portal["province"], portal["city"], portal["county"]
    if county:
        texts, levels = [county, f"{city or ''}{county}"], {"county"}
    elif city:
        # Municipal districts and province-administered cities sit in `city` but are
        # county-level in GB/T 2260.
        texts, levels = [city], {"prefecture", "county"}
    else:
        texts, levels = [province], {"province"}
    for text in texts:
        region = resolve_region(text, province_hint=province)
        if region and _level(region) in levels:
            return region
    return None


def build(portals: Iterable[Mapping[str, str | None]]) -> list[dict]:
    """Registry entries for the portals that have a URL; logs what it skipped or left unmatched."""
    entries: list[dict] = []
    no_url = 0
    for portal in portals:
        url = portal["url"]
        if not url:
            no_url += 1
            continue
        host = urlsplit(url).hostname or ""
        region = _resolve(portal)
        if region is None:
            names = "/".join(n for n in (portal["province"], portal["city"], portal["county"]) if n)
            log.warning("no GB/T 2260 division for %s (%s)", names, url)
            region = {k: portal[k] for k in ("province", "city", "county")} | {"adcode": None}
            level = _level(portal)
        else:
            level = _level(region)
        entries.append({"id": "", **region, "level": level, "start_url": url, "host": host})
    taken = Counter[str]()
    for entry in sorted(entries, key=lambda e: (e["adcode"] is None, e["adcode"] or e["host"])):
        base = entry["adcode"] or entry["host"].removeprefix("www.")
        taken[base] += 1
        entry["id"] = base if taken[base] == 1 else f"{base}-{taken[base]}"
    matched = sum(e["adcode"] is not None for e in entries)
    log.info(
        "%d sites (%d matched to GB/T 2260, %d not); %d portals skipped without a URL",
        len(entries),
        matched,
        len(entries) - matched,
        no_url,
    )
    return sorted(entries, key=lambda e: e["id"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xxgk.registry", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="write the registry from a portal list")
    build_cmd.add_argument("portals", type=Path, help="JSONL: province, city, county, url")
    build_cmd.add_argument("--out", type=Path, default=SITES_PATH)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    with args.portals.open(encoding="utf-8") as f:
        entries = build(json.loads(line) for line in f if line.strip())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        f.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in entries)
    log.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
