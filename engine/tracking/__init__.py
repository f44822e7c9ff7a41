"""Tracking: what people record and what the engine tells of it (status, previews)."""
