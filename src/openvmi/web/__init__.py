"""Shared web plumbing: dependencies, problem+json errors, layout."""
