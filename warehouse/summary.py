"""The example query a run's summary shows: the share of requests granted in full, per organ
and year, from `v_applications`."""

from __future__ import annotations

from sqlalchemy import Connection, text

EXAMPLE_QUERY = """\
SELECT organ, year,
       new_received__total AS requests,
       granted__total AS granted,
       ROUND(CAST(100.0 * granted__total / NULLIF(total_handled__total, 0) AS NUMERIC), 1)
           AS pct_granted
FROM v_applications
ORDER BY year, organ"""


def example_query(connection: Connection) -> tuple[str, list[str], list[tuple]]:
    """The query, its column names and its rows."""
    result = connection.execute(text(EXAMPLE_QUERY))
    return EXAMPLE_QUERY, list(result.keys()), [tuple(row) for row in result]
