"""Long-running and batch entrypoints (demo load, worker, sweeps). Each commits once per step."""
