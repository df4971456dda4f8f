"""ywtb.intake: 统一受理 — applications (办件), materials, case numbers, completeness, accept / reject."""
