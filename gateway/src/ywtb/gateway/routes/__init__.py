"""REST routes of the gateway, one module per service they front."""
