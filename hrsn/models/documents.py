"""Models of the documents step (filled in by its issue)."""
__all__: list[str] = []
