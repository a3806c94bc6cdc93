"""Demo triage decisions and assignments (filled in by the intake issue)."""


def seed(staff: dict, people: list, rng) -> None:
    return None
