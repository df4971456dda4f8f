"""Authentication and authorisation: the principal, its signed propagation, JWT validation."""
