"""Executive reports (CEO, CTO, CMO, CFO, Accounting) across all brands.

The top of the dependency order: reports may import every other app; nothing imports reports.
"""
