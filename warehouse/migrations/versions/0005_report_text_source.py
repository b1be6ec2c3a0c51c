"""How each report was read, on `reports` and in v_reports: its text layer, or OCR.

`reports` gets `text_source` (the record's `text_source.kind`: `text` or `ocr`), `ocr_engine`
and `ocr_mean_confidence` (for `ocr`), and `incomplete` (a standard table cut short), so that
`WHERE text_source = 'text'` leaves OCR'd reports out. The rows already loaded get them from
their record: one without `text_source` was read from its text layer (xxgk.report/1 had no OCR
before it), one without `incomplete` has NULL there (its parser did not tell). `v_reports` shows
them after its other columns; the views built on it are made again as 0003 made them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

publication = importlib.import_module("warehouse.migrations.versions.0003_document_publication")
page_metadata = importlib.import_module(
    "warehouse.migrations.versions.0004_page_metadata_per_parser_version"
)

COLUMNS = {
    "text_source": sa.Text,
    "ocr_engine": sa.Text,
    "ocr_mean_confidence": sa.Float,
    "incomplete": sa.Boolean,
}
# Each column from the record, per dialect (the record is JSON on both)
FROM_RECORD = {
    "postgresql": {
        "text_source": "COALESCE(record->'text_source'->>'kind', 'text')",
        "ocr_engine": "record->'text_source'->>'engine'",
        "ocr_mean_confidence": "(record->'text_source'->>'mean_confidence')::float",
        "incomplete": "(record->>'incomplete')::boolean",
    },
    "sqlite": {
        "text_source": "COALESCE(json_extract(record, '$.text_source.kind'), 'text')",
        "ocr_engine": "json_extract(record, '$.text_source.engine')",
        "ocr_mean_confidence": "json_extract(record, '$.text_source.mean_confidence')",
        "incomplete": "json_extract(record, '$.incomplete')",
    },
}
LATEST_REPORTS = """\
CREATE VIEW v_reports AS
SELECT r.id AS report_id, r.document_id, r.parser_version, r.title,
       r.organ, r.year, r.template, r.province, r.city, r.county, r.adcode,
       d.sha256, d.url, d.file_url, d.first_seen_at,
       p.index_number, p.publisher, p.document_number, p.issued_on, p.written_on,
       r.text_source, r.ocr_engine, r.ocr_mean_confidence, r.incomplete
FROM reports r
JOIN documents d ON d.id = r.document_id
LEFT JOIN page_metadata p
  ON p.document_id = r.document_id AND p.parser_version = r.parser_version
WHERE NOT EXISTS (
  SELECT 1 FROM reports later WHERE later.document_id = r.document_id AND later.id > r.id
)"""


def upgrade() -> None:
    publication.drop_views()
    for name, kind in COLUMNS.items():
        op.add_column("reports", sa.Column(name, kind()))
    from_record = FROM_RECORD[op.get_bind().dialect.name]
    op.execute(
        "UPDATE reports SET " + ", ".join(f"{name} = {from_record[name]}" for name in COLUMNS)
    )
    publication.create_views(LATEST_REPORTS)


def downgrade() -> None:
    publication.drop_views()
    for name in COLUMNS:
        op.drop_column("reports", name)
    publication.create_views(page_metadata.LATEST_REPORTS)
