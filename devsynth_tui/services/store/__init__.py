"""Storage: the SQLite database, the token ledger, conversations."""
