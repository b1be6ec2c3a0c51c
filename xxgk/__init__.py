"""xxgk: China's government information disclosure annual reports, collected and made queryable."""

__version__ = "0.1.0"
