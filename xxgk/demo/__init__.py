"""A local stand-in for a county government portal, built from the seed reports."""
