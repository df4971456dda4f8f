"""A stand-in for the province's 好差评系统, run as its own process; for tests and demos only."""
