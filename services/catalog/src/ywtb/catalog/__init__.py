"""ywtb.catalog: 事项目录 — basic catalogue, implementation lists, guides, search, 一件事 bundles."""
