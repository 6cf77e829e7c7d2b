"""Use cases of supplier stock, one module each: `imports` (check and apply a file), `import_queue`
(big files run later by a runner), `lines` (publish and change single lines) and `thresholds`;
`staging` is the set-based SQL behind an import. Callers import the module they need."""
