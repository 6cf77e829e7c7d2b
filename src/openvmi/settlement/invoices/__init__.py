"""Invoices of confirmed statements: recorded by the supplier or self-billed, matched within finance's tolerance, closed."""
