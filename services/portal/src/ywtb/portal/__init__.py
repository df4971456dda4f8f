"""The web front end: citizen portal, staff workbench and tenant admin, server-rendered, gateway-only."""
