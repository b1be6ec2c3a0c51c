"""Organs across years, one observation per organ and year, the cross-year identity, deadlines.

`organs` (one row per body: region, kind, normalised name, parent government) and `organ_names`
(each name a body is printed under, with the rules that matched it) are new; `reports` gets
`organ_id` and `content_sha256` (a digest of the year, template and cell values), computed for
the reports already loaded by the loader's own functions (`warehouse.organs`,
`warehouse.panel`). `v_reports` shows both after its other columns; the views built on it are
made again as 0003 made them, but for counts as integers in `v_applications`,
`v_review_litigation` and `v_active_disclosure` (only the 万元 amounts, `*__amount_10k_yuan`,
stay floating point; `report_cells.value` holds both, as before). New views:

- `v_organ_year_reports`: every report of an organ and year, its `role` (`chosen`, `copy`: the
  same cells as a report published before it, `superseded`: an earlier publication of other
  cells) and the counts behind it;
- `v_observations`: one row per organ and year, the chosen report and `choice` (why);
- `v_carry_breaks`: year Y's 结转下年度继续办理 (`carried_forward`) that is not year Y+1's
  上年结转 (`carried_over`), per applicant column;
- `v_publication_deadlines`: region × organ × year against 条例 第五十条 (31 March for people's
  governments above the township, 31 January for every other body);
- `v_organ_renames`: bodies of one region renamed in an institutional reform, linked (never
  merged) with the years and the first publication under the new name.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import importlib
import re
from itertools import product

import sqlalchemy as sa
from alembic import op

from warehouse import organs, panel

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

publication = importlib.import_module("warehouse.migrations.versions.0003_document_publication")
research = importlib.import_module("warehouse.migrations.versions.0002_research_views")
text_source = importlib.import_module("warehouse.migrations.versions.0005_report_text_source")

REPORT_COLUMNS = {"organ_id": sa.Text, "content_sha256": lambda: sa.String(64)}
ROWS_PER_UPDATE = 2000
# The 2018 reform's renamings of county and city bodies (国务院机构改革方案, 地方机构改革): each
# name before it, by group, may have become each name after it. Frozen here.
REFORMS = [
    (("卫生和计划生育委员会", "卫生和计划生育局", "卫生局"), ("卫生健康委员会", "卫生健康局")),
    (("环境保护局",), ("生态环境局", "生态环境分局")),
    (("国土资源局", "城乡规划局", "规划局"), ("自然资源局", "自然资源和规划局")),
    (("农业局", "农牧局"), ("农业农村局",)),
    (
        ("工商行政管理局", "食品药品监督管理局", "质量技术监督局"),
        ("市场监督管理局",),
    ),
    (("安全生产监督管理局",), ("应急管理局",)),
    (
        ("文化广电新闻出版局", "文化局", "旅游局", "文化广电新闻出版旅游局"),
        ("文化和旅游局", "文化广电和旅游局", "文化广电体育和旅游局"),
    ),
    (("人民政府法制办公室",), ("司法局",)),
]

LATEST_REPORTS = """\
CREATE VIEW v_reports AS
SELECT r.id AS report_id, r.document_id, r.parser_version, r.title,
       r.organ, r.year, r.template, r.province, r.city, r.county, r.adcode,
       d.sha256, d.url, d.file_url, d.first_seen_at,
       p.index_number, p.publisher, p.document_number, p.issued_on, p.written_on,
       r.text_source, r.ocr_engine, r.ocr_mean_confidence, r.incomplete,
       r.organ_id, r.content_sha256
FROM reports r
JOIN documents d ON d.id = r.document_id
LEFT JOIN page_metadata p
  ON p.document_id = r.document_id AND p.parser_version = r.parser_version
WHERE NOT EXISTS (
  SELECT 1 FROM reports later WHERE later.document_id = r.document_id AND later.id > r.id
)"""

# A report's publication date: what its page prints (发文日期), else the day it was first
# fetched (it was out by then). Copies: the same cells; the first published is the original.
# Versions: different cells; the one published last is chosen (ties: the one loaded last).
ORGAN_YEAR_REPORTS = """\
CREATE VIEW v_organ_year_reports AS
WITH dated AS (
  SELECT report_id, organ_id, year, COALESCE(content_sha256, sha256) AS content_sha256,
         sha256, url, file_url,
         COALESCE(CAST(issued_on AS TEXT), SUBSTR(CAST(first_seen_at AS TEXT), 1, 10))
           AS published_on,
         CASE WHEN issued_on IS NULL THEN 'first_seen_at' ELSE 'issued_on' END
           AS published_on_from
  FROM v_reports
  WHERE organ_id IS NOT NULL AND year IS NOT NULL
), copies AS (
  SELECT dated.*,
         ROW_NUMBER() OVER (PARTITION BY organ_id, year, content_sha256
                            ORDER BY published_on, report_id) AS copy_rank,
         COUNT(*) OVER (PARTITION BY organ_id, year, content_sha256) AS copies,
         COUNT(*) OVER (PARTITION BY organ_id, year) AS reports
  FROM dated
), versions AS (
  SELECT organ_id, year, content_sha256, report_id AS original_report_id,
         ROW_NUMBER() OVER (PARTITION BY organ_id, year
                            ORDER BY published_on DESC, report_id DESC) AS version_rank,
         COUNT(*) OVER (PARTITION BY organ_id, year) AS versions
  FROM copies
  WHERE copy_rank = 1
)
SELECT c.report_id, c.organ_id, c.year,
       CASE WHEN c.copy_rank > 1 THEN 'copy'
            WHEN v.version_rank = 1 THEN 'chosen'
            ELSE 'superseded' END AS role,
       c.published_on, c.published_on_from, c.content_sha256,
       v.original_report_id, v.version_rank, c.reports, v.versions, c.copies,
       c.sha256, c.url, c.file_url
FROM copies c
JOIN versions v
  ON v.organ_id = c.organ_id AND v.year = c.year AND v.content_sha256 = c.content_sha256"""

OBSERVATIONS = """\
CREATE VIEW v_observations AS
SELECT o.organ_id, g.name AS organ, g.kind, g.province, g.city, g.county, g.adcode,
       g.parent_organ_id, o.year, o.report_id,
       CASE WHEN o.versions > 1 THEN 'latest_publication'
            WHEN o.copies > 1 THEN 'identical_copies'
            ELSE 'only_report' END AS choice,
       o.reports, o.versions, o.copies, o.published_on, o.published_on_from,
       o.content_sha256, o.sha256, o.url, o.file_url
FROM v_organ_year_reports o
JOIN organs g ON g.organ_id = o.organ_id
WHERE o.role = 'chosen'"""

# The observations once (MATERIALIZED: else SQLite works out the view again for every row).
CARRY_BREAKS = """\
CREATE VIEW v_carry_breaks AS
WITH chosen AS MATERIALIZED (
  SELECT organ_id, organ, year, report_id FROM v_observations
)
SELECT o.organ_id, o.organ, o.year, n.year AS next_year, f."column" AS applicant,
       CAST(f.value AS INTEGER) AS carried_forward, CAST(c.value AS INTEGER) AS next_carried_over,
       o.report_id, n.report_id AS next_report_id
FROM chosen o
JOIN chosen n ON n.organ_id = o.organ_id AND n.year = o.year + 1
JOIN report_cells f
  ON f.report_id = o.report_id AND f."table" = 'applications' AND f."row" = 'carried_forward'
JOIN report_cells c
  ON c.report_id = n.report_id AND c."table" = 'applications' AND c."row" = 'carried_over'
 AND c."column" = f."column"
WHERE f.value <> c.value"""

# The years run from the first any organ reported (a government's are all due) or the organ's own
# first (a department may be new) to the last any organ reported; a body renamed in a reform is
# not due from the year its successor first reported.
PUBLICATION_DEADLINES = """\
CREATE VIEW v_publication_deadlines AS
WITH RECURSIVE years(year) AS (
  SELECT MIN(year) FROM v_observations
  UNION ALL
  SELECT year + 1 FROM years WHERE year < (SELECT MAX(year) FROM v_observations)
), firsts AS (
  SELECT organ_id, MIN(year) AS first_year FROM v_observations GROUP BY organ_id
), due AS (
  SELECT g.organ_id, g.name AS organ, g.kind, g.province, g.city, g.county, g.adcode, y.year,
         CAST(y.year + 1 AS TEXT)
           || CASE WHEN g.kind = '人民政府' THEN '-03-31' ELSE '-01-31' END AS due_on
  FROM organs g
  JOIN firsts f ON f.organ_id = g.organ_id
  JOIN years y
    ON y.year >= CASE WHEN g.kind = '人民政府' THEN (SELECT MIN(year) FROM years)
                      ELSE f.first_year END
  WHERE NOT EXISTS (
    SELECT 1 FROM v_organ_renames n
    WHERE n.predecessor_id = g.organ_id AND y.year >= n.successor_first_year
  )
), published AS (
  SELECT organ_id, year, MIN(published_on) AS published_on,
         MIN(CASE WHEN published_on_from = 'issued_on' THEN published_on END) AS issued_on
  FROM v_organ_year_reports
  GROUP BY organ_id, year
)
SELECT d.province, d.city, d.county, d.adcode, d.organ_id, d.organ, d.kind, d.year, d.due_on,
       p.published_on,
       CASE WHEN p.organ_id IS NULL AND CAST(CURRENT_DATE AS TEXT) <= d.due_on THEN 'not_due'
            WHEN p.organ_id IS NULL THEN 'missing'
            WHEN p.published_on <= d.due_on THEN 'on_time'
            WHEN p.issued_on IS NOT NULL THEN 'late'
            ELSE 'undated' END AS status
FROM due d
LEFT JOIN published p ON p.organ_id = d.organ_id AND p.year = d.year"""


def renames_sql() -> str:
    pairs = ",\n  ".join(
        f"('{before}', '{after}')"
        for befores, afters in REFORMS
        for before, after in product(befores, afters)
    )
    return f"""\
CREATE VIEW v_organ_renames AS
WITH reforms(before_name, after_name) AS (VALUES
  {pairs}
), spans AS (
  SELECT organ_id, MIN(year) AS first_year, MAX(year) AS last_year
  FROM v_observations GROUP BY organ_id
)
SELECT b.province, b.city, b.county, b.adcode,
       b.organ_id AS predecessor_id, b.name AS predecessor,
       a.organ_id AS successor_id, a.name AS successor,
       '机构改革: ' || r.before_name || ' → ' || r.after_name AS rule,
       sb.last_year AS predecessor_last_year, sa.first_year AS successor_first_year,
       (SELECT MIN(o.published_on) FROM v_organ_year_reports o
        WHERE o.organ_id = a.organ_id AND o.year = sa.first_year)
         AS successor_first_published_on
FROM reforms r
JOIN organs b ON b.normalised_name = r.before_name
JOIN organs a ON a.normalised_name = r.after_name AND a.adcode = b.adcode
LEFT JOIN spans sb ON sb.organ_id = b.organ_id
LEFT JOIN spans sa ON sa.organ_id = a.organ_id"""


#: A pivot's cell column, `MAX(CASE … END) AS <row>__<column>`, as 0002 writes it.
PIVOT_CELL = re.compile(r"(MAX\(CASE .*? END\)) AS (\w+)")
MONEY = "amount_10k_yuan"


def integer_pivot_sql(view: str, table: str, cells: list[tuple[str, str]]) -> str:
    """0002's pivot view with every count cast to an integer; amounts in 万元 are left as they
    are."""

    def cast(match: re.Match) -> str:
        cell, name = match.groups()
        return match[0] if name.endswith(MONEY) else f"CAST({cell} AS INTEGER) AS {name}"

    return PIVOT_CELL.sub(cast, research.pivot_view_sql(view, table, cells))


def create_research_views() -> None:
    op.execute(LATEST_REPORTS)
    for view, (table, cells) in research.PIVOTS.items():
        op.execute(integer_pivot_sql(view, table, cells))
    op.execute(research.COVERAGE)


VIEWS = {
    "v_organ_year_reports": ORGAN_YEAR_REPORTS,
    "v_observations": OBSERVATIONS,
    "v_carry_breaks": CARRY_BREAKS,
    "v_organ_renames": renames_sql(),
    "v_publication_deadlines": PUBLICATION_DEADLINES,
}


def identify_loaded_reports() -> None:
    """`organ_id` and `content_sha256` of the reports already loaded, and their organs."""
    connection = op.get_bind()
    loaded = sa.table("reports", sa.column("id"), sa.column("record", sa.JSON))
    bodies: dict[str, dict] = {}
    names: dict[tuple[str, str], dict] = {}
    updates = []
    for report_id, record in connection.execute(sa.select(loaded.c.id, loaded.c.record)):
        organ = organs.identify(record.get("organ"), record.get("region"))
        if organ:
            bodies.setdefault(organ.organ_id, organs.organ_row(organ))
            names.setdefault((organ.organ_id, organ.printed), organs.name_row(organ))
        updates.append(
            {
                "report": report_id,
                "organ_id": organ.organ_id if organ else None,
                "content_sha256": panel.content_sha256(record),
            }
        )
    statement = (
        sa.table("reports", sa.column("id"), sa.column("organ_id"), sa.column("content_sha256"))
        .update()
        .where(sa.column("id") == sa.bindparam("report"))
        .values(organ_id=sa.bindparam("organ_id"), content_sha256=sa.bindparam("content_sha256"))
    )
    for start in range(0, len(updates), ROWS_PER_UPDATE):
        connection.execute(statement, updates[start : start + ROWS_PER_UPDATE])
    for table, rows in (("organs", bodies), ("organ_names", names)):
        if rows:
            first = next(iter(rows.values()))
            connection.execute(
                sa.table(table, *map(sa.column, first)).insert(), list(rows.values())
            )


def upgrade() -> None:
    publication.drop_views()
    op.create_table(
        "organs",
        sa.Column("organ_id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("normalised_name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("province", sa.Text),
        sa.Column("city", sa.Text),
        sa.Column("county", sa.Text),
        sa.Column("adcode", sa.String(6)),
        sa.Column("parent_organ_id", sa.Text),
    )
    op.create_index("ix_organs_adcode", "organs", ["adcode"])
    op.create_table(
        "organ_names",
        sa.Column("organ_id", sa.Text, sa.ForeignKey("organs.organ_id"), primary_key=True),
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("rule", sa.Text, nullable=False),
    )
    for name, kind in REPORT_COLUMNS.items():
        op.add_column("reports", sa.Column(name, kind()))
    op.create_index("ix_reports_organ_id_year", "reports", ["organ_id", "year"])
    identify_loaded_reports()
    create_research_views()
    for view in VIEWS.values():
        op.execute(view)


def downgrade() -> None:
    for view in reversed(VIEWS):
        op.execute(f"DROP VIEW {view}")
    publication.drop_views()
    op.drop_index("ix_reports_organ_id_year", table_name="reports")
    for name in REPORT_COLUMNS:
        op.drop_column("reports", name)
    op.drop_table("organ_names")
    op.drop_index("ix_organs_adcode", table_name="organs")
    op.drop_table("organs")
    publication.create_views(text_source.LATEST_REPORTS)
