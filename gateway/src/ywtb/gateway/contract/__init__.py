"""The gateway's typed API contract: request and response schemas derived from the protos, error answers."""
