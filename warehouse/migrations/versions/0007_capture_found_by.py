"""`captures.found_by`: what found each capture's URL (a site system's adapter, plain links, a
script link, a frame, the browser; `xxgk.records.Capture`), and the view `v_site_systems`: per
site, each adapter that found anything on it, the most specific first, with the list pages and
the reports (report pages and attachments fetched) it found, and the reports linked from the
list pages it found (`listed`); `system` is the first of them. Captures loaded before have no
`found_by` and are left out of the view.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: What finds a URL on any site, from the most specific (a paging style any system may use) to
#: the least; any other `found_by` is a site system's adapter, more specific than all of them.
GENERAL = ("generic", "browser", "script", "frame", "links", "article", "start", "robots")

generality = " ".join(f"WHEN '{name}' THEN {rank}" for rank, name in enumerate(GENERAL, 1))
SITE_SYSTEMS = f"""\
CREATE VIEW v_site_systems AS
WITH found AS (
  SELECT site, found_by AS adapter,
         COUNT(DISTINCT CASE WHEN role = 'listing' THEN url END) AS list_pages,
         COUNT(DISTINCT CASE WHEN role IN ('report_page', 'attachment') AND error_kind IS NULL
                             THEN url END) AS reports,
         COUNT(DISTINCT url) AS urls,
         CASE found_by {generality} ELSE 0 END AS generality
  FROM captures
  WHERE found_by IS NOT NULL AND site IS NOT NULL
  GROUP BY site, found_by
), listed AS (
  SELECT list.site, list.found_by AS adapter, COUNT(DISTINCT report.url) AS listed
  FROM captures report
  JOIN captures list ON list.url = report.referer AND list.site = report.site
  WHERE report.role IN ('report_page', 'attachment') AND report.error_kind IS NULL
    AND list.role = 'listing' AND list.found_by IS NOT NULL
  GROUP BY list.site, list.found_by
), ranked AS (
  SELECT found.site, found.adapter, list_pages, reports, COALESCE(listed, 0) AS listed, urls,
         ROW_NUMBER() OVER (
           PARTITION BY found.site ORDER BY generality, reports DESC, urls DESC, found.adapter
         ) AS specificity
  FROM found
  LEFT JOIN listed ON listed.site = found.site AND listed.adapter = found.adapter
)
SELECT ranked.site, best.adapter AS system, ranked.adapter, ranked.specificity,
       ranked.list_pages, ranked.reports, ranked.listed, ranked.urls
FROM ranked
JOIN ranked best ON best.site = ranked.site AND best.specificity = 1"""


def upgrade() -> None:
    op.add_column("captures", sa.Column("found_by", sa.Text()))
    op.execute(SITE_SYSTEMS)


def downgrade() -> None:
    op.execute("DROP VIEW v_site_systems")
    op.drop_column("captures", "found_by")
