"""The portal's page routers, one module per area."""
