"""A stand-in for the province's 非税收入统一缴款平台, run as its own process; for tests and demos only."""
