"""Settlement statements: lines per supplier, currency and period, issued, confirmed or disputed."""
