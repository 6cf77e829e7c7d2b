"""Use cases of supplier stock, one module each: `imports` (check and apply a file), `import_queue`
(big files run later by a runner), `lines` (publish and change single lines), `thresholds`, `site_aliases`
(the names files give sites) and `dry_runs` (a checked file kept until it is confirmed);
`staging` is the set-based SQL behind an import. Callers import the module they need."""
