"""Demo screenings (filled in by the documents and eligibility issue)."""


def seed(staff: dict, people: list, rng) -> None:
    return None
