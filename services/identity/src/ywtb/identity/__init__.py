"""ywtb.identity: 统一身份认证 — tenants, departments, staff, natural and legal persons."""
