"""A stand-in for the province's 短信平台 (SMS gateway), run as its own process; for tests and demos only."""
