"""Farm sites each on a loopback address of its own (127.0.0.2, 127.0.0.3, …: Linux routes all of
127/8 to the loopback device), so that each is its own host to a crawler, reached without a
proxy; one request log for all of them."""

from __future__ import annotations

import ipaddress
import itertools
import threading
from collections.abc import Callable
from typing import Self

from tests.farm.server import Call, FarmHandler, FarmServer, Reply, Site
from tests.farm.sites import add_report, li, navigation, page

FIRST_ADDRESS = ipaddress.IPv4Address("127.0.0.2")


def small_portal(host: str, number: int, reports: int = 5) -> Site:
    """A county portal: home, 信息公开, the column of reports, and `reports` report pages each
    with its PDF (4 + 2 × `reports` requests, robots.txt included)."""
    site = Site(host, {})
    navigation(site, "/xxgk/", "/xxgk/nb/")
    who = f"第{number}县人民政府"
    items = []
    for n in range(reports):
        path = f"/xxgk/nb/t2024011{n}_{number}.html"
        items.append(li(path, add_report(site, path, 2023 - n, who)))
    site.routes["/xxgk/nb/"] = Reply(page("政府信息公开年报", "".join(items)))
    return site


class LoopbackFarm:
    """`count` sites, the n-th made by `make(host, n)` and served on the n-th loopback address
    from 127.0.0.2, each on a free port."""

    def __init__(self, count: int, make: Callable[[str, int], Site] = small_portal) -> None:
        self.calls: list[Call] = []  # appended to by every server's threads
        self.sites: list[Site] = []
        self._servers: list[FarmServer] = []
        self._threads: list[threading.Thread] = []
        for number in range(count):
            server = FarmServer((str(FIRST_ADDRESS + number), 0), FarmHandler)
            address, port = server.server_address[:2]
            site = make(f"{address}:{port}", number)
            server.sites = {site.host: site}
            server.calls = self.calls
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            self.sites.append(site)
            self._servers.append(server)
            self._threads.append(thread)

    @property
    def urls(self) -> list[str]:
        return [site.url for site in self.sites]

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def requests_by_host(calls: list[Call]) -> dict[str, list[float]]:
    """When each host was asked (monotonic seconds), in order."""
    times: dict[str, list[float]] = {}
    for call in calls:
        times.setdefault(call.host, []).append(call.at)
    return {host: sorted(at) for host, at in times.items()}


def gaps(times: dict[str, list[float]]) -> list[float]:
    """The time between each two requests in a row to one host, over every host."""
    return [later - earlier for at in times.values() for earlier, later in itertools.pairwise(at)]


def smallest_gap(times: dict[str, list[float]]) -> float:
    return min(gaps(times), default=float("inf"))
