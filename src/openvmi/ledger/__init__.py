"""The stock ledger: the only way stock changes."""
