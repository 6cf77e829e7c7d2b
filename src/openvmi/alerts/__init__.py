"""Alerts: edge-triggered lifecycle (opened, acknowledged, resolved) and the notification outbox."""
