"""ywtb.gateway: the public REST entry (FastAPI) in front of the gRPC services."""
