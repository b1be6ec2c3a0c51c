"""The warehouse: captures, documents and parsed reports in SQL (SQLite or PostgreSQL)."""

from warehouse.store import LoadStats, Warehouse, WarehouseUnusable

__all__ = ["LoadStats", "Warehouse", "WarehouseUnusable"]
