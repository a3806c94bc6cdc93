"""Models of the HRSN screening (filled in by the documents and eligibility issue)."""
__all__: list[str] = []
