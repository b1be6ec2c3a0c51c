from __future__ import annotations

Row = list[str]
Table = list[Row]
Block = str | Table
