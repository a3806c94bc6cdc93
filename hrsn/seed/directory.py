"""Demo directory: 72 community organizations in Oregon across every need domain, some preferred partners,
some offering Spanish, Vietnamese or Russian, some not verified for over a year, one flagged as outdated.

Self-contained: it reads the payers, service types and staff that exist, and needs nothing else."""
from datetime import timedelta

from hrsn.extensions import db
from hrsn.models import (NEED_DOMAINS, ContactPerson, DirectoryFlag, Location, Organization, Payer, Phone, Schedule,
                         Service, ServiceArea, ServiceAtLocation, ServiceCategory, ServiceLanguage, ServiceType,
                         User, local_today)

PLACES = [("Portland", "OR", "97204", "Multnomah"), ("Salem", "OR", "97301", "Marion"),
          ("Eugene", "OR", "97401", "Lane"), ("Medford", "OR", "97501", "Jackson"),
          ("Bend", "OR", "97701", "Deschutes"), ("Gresham", "OR", "97030", "Multnomah"),
          ("Hillsboro", "OR", "97123", "Washington"), ("Corvallis", "OR", "97330", "Benton")]
CONTACTS = ["Dana Cruz", "Lee Nguyen", "Olga Petrova", "Marisol Reyes", "Tom Becker"]
OWN_NAMES = ("Casa", "Centro", "Clínica", "Escuela", "Hội", "Slavic")     # Spanish first: they speak it
# need -> (organization, service, who is eligible, cost, wait), four per need.
KINDS = {
    "housing": [("Housing Authority", "Emergency rent help", "Renters behind on rent with a notice", "Free", "2 weeks"),
                ("Tenant Rights Project", "Eviction defense clinic", "Tenants facing eviction", "Free", "Same week"),
                ("Rapid Rehousing", "Move-in deposits", "Households leaving a shelter", "Free", "1 month"),
                ("Casa de la Esperanza", "Vivienda transitoria", "Families with children", "Free", "Waitlist")],
    "utilities": [("Energy Assistance", "Heating bill help (LIHEAP)", "Income under 60% of state median", "Free",
                   "3 weeks"), ("Weatherization Co-op", "Home weatherization", "Homeowners and renters", "Free",
                   "2 months"), ("Water Bill Relief", "Water shut-off prevention", "Residents with a notice", "Free",
                   "1 week"), ("Community Action", "Utility deposits", "Income under 200% of poverty", "Free",
                   "2 weeks")],
    "food": [("Food Bank", "Weekly food boxes", "Anyone in need", "Free", "None"),
             ("Community Pantry", "Pantry and fresh produce", "Residents of the county", "Free", "None"),
             ("Meals on Wheels", "Home-delivered meals", "Adults 60+ or homebound", "Suggested donation $3",
              "1 week"), ("SNAP Outreach", "Help applying for SNAP", "Anyone", "Free", "Same day")],
    "transportation": [("Ride Connection", "Rides to medical visits", "Older adults and people with disabilities",
                        "Free", "Book 2 days ahead"), ("Transit Reduced Fare", "Reduced fare card",
                        "OHP members", "Free", "Same day"), ("Medical Rides NEMT", "Non-emergency medical rides",
                        "OHP members", "Free", "Book 2 days ahead"), ("Bike Works", "Refurbished bikes",
                        "Adults with low income", "$20", "1 month")],
    "safety": [("Safe Harbor", "Domestic violence shelter", "Survivors and their children", "Free", "24/7 line"),
               ("Crisis Line", "Safety planning", "Anyone", "Free", "24/7 line"),
               ("Legal Advocates for Survivors", "Protective order help", "Survivors", "Free", "1 week"),
               ("Centro de Apoyo Familiar", "Apoyo a víctimas", "Spanish-speaking survivors", "Free", "1 week")],
    "employment": [("WorkSource", "Job search help", "Job seekers", "Free", "None"),
                   ("Goodwill Job Connection", "Job training", "Adults 18+", "Free", "2 weeks"),
                   ("Immigrant Career Center", "Credential recognition", "Immigrants and refugees", "Free",
                    "1 month"), ("Youth Employment", "Summer jobs", "Youth 16 to 24", "Free", "Seasonal")],
    "income": [("Benefits Navigators", "Help with SSI and SSDI", "Adults with disabilities", "Free", "3 weeks"),
               ("Tax Help VITA", "Free tax preparation", "Income under $67,000", "Free", "Seasonal"),
               ("Financial Empowerment", "Credit and budgeting coaching", "Anyone", "Free", "2 weeks"),
               ("Hội Người Việt", "Hỗ trợ phúc lợi", "Vietnamese-speaking families", "Free", "1 week")],
    "physical_health": [("Community Health Center", "Primary care", "Anyone; sliding scale", "Sliding scale",
                         "2 weeks"), ("Free Clinic", "Walk-in clinic", "Uninsured adults", "Free", "Same day"),
                        ("Mobile Health Van", "Street medicine", "People without housing", "Free", "None"),
                        ("Clínica Latina", "Atención primaria", "Spanish-speaking families", "Sliding scale",
                         "1 week")],
    "oral_health": [("Dental Access", "Dental care for OHP members", "OHP members", "Free", "1 month"),
                    ("Smile Clinic", "Children's dental", "Children under 19", "Free", "3 weeks"),
                    ("Dental School Clinic", "Low-cost dental", "Adults", "Reduced fees", "2 months"),
                    ("Mobile Dental", "Dental van", "Rural residents", "Free", "Monthly visits")],
    "mental_health": [("Behavioral Health", "Counseling", "OHP members", "Free", "2 weeks"),
                      ("Peer Support Network", "Peer support groups", "Adults", "Free", "None"),
                      ("Slavic Family Counseling", "Семейное консультирование", "Russian-speaking families", "Free",
                       "2 weeks"), ("Youth Crisis Services", "Youth crisis counseling", "Youth under 25", "Free",
                       "24/7 line")],
    "substance_use": [("Recovery Center", "Outpatient treatment", "Adults 18+", "Free with OHP", "1 week"),
                      ("Harm Reduction Project", "Naloxone and syringe services", "Anyone", "Free", "None"),
                      ("Sober Living Homes", "Recovery housing", "Adults in recovery", "$400 a month", "Waitlist"),
                      ("Detox Services", "Withdrawal management", "Adults 18+", "Free with OHP", "Same day")],
    "disability": [("Independent Living Center", "Independent living skills", "People with disabilities", "Free",
                    "2 weeks"), ("Assistive Tech Lab", "Equipment loans", "People with disabilities", "Free",
                    "1 week"), ("Deaf Services", "ASL interpreting", "Deaf and hard of hearing", "Free", "1 week"),
                   ("Disability Rights", "Disability advocacy", "People with disabilities", "Free", "1 month")],
    "ltss": [("Aging and Disability Resource", "In-home care assessment", "Adults 65+ or with disabilities",
              "Free", "3 weeks"), ("Adult Day Program", "Adult day services", "Older adults", "Sliding scale",
              "1 month"), ("Caregiver Support", "Respite care", "Family caregivers", "Free", "2 weeks"),
             ("Home Care Cooperative", "Personal care aides", "Medicaid LTSS members", "Free with Medicaid",
              "1 month")],
    "family_support": [("Family Resource Center", "Parenting classes", "Parents", "Free", "None"),
                       ("Community Connectors", "Community health workers", "Anyone", "Free", "1 week"),
                       ("Refugee Welcome", "Resettlement support", "Refugees", "Free", "1 week"),
                       ("Grandparents Raising Grandchildren", "Kinship support", "Kinship caregivers", "Free",
                        "None")],
    "legal": [("Legal Aid", "Civil legal help", "Income under 125% of poverty", "Free", "2 weeks"),
              ("Immigration Law Clinic", "Immigration consultations", "Immigrants", "Free", "1 month"),
              ("Benefits Law Project", "Benefit denials and appeals", "People denied benefits", "Free", "2 weeks"),
              ("Expungement Clinic", "Record clearing", "Adults with records", "Free", "Monthly")],
    "child_care": [("Child Care Resource", "Child care referrals", "Parents", "Free", "None"),
                   ("Head Start", "Preschool", "Children 3 to 5", "Free", "Waitlist"),
                   ("Employment Related Day Care", "Child care subsidy help", "Working parents", "Free", "1 month"),
                   ("Early Learning Hub", "Home visiting", "Families with infants", "Free", "2 weeks")],
    "education": [("Community College", "GED classes", "Adults 16+", "Free", "Term start"),
                  ("Literacy Council", "English classes", "Adults learning English", "Free", "None"),
                  ("Digital Inclusion", "Computer classes", "Anyone", "Free", "2 weeks"),
                  ("Escuela Comunitaria", "Clases de inglés", "Spanish speakers", "Free", "None")],
    "other": [("2-1-1 Info", "Information and referral", "Anyone", "Free", "Same day"),
              ("Library Social Work", "Library social worker", "Library visitors", "Free", "None"),
              ("Pet Food Pantry", "Pet food", "Pet owners with low income", "Free", "None"),
              ("ID Clinic", "Help getting ID documents", "Anyone", "$0 to $10", "1 week")],
}


def _service(org, domain, service_name, eligibility, fee, wait, languages, verified, verifier, i) -> Service:
    service = Service(organization=org, name=service_name, status="active", accepting_referrals=i % 9 != 4,
                      eligibility_description=eligibility, fees_description=fee, wait_time=wait,
                      description=f"{service_name} from {org.name}.",
                      application_process="Call the intake line, or walk in during open hours.",
                      documents_to_bring="Photo ID; proof of address; proof of income if you have it.",
                      referral_process="Send the referral through the platform, or call the intake line.",
                      follow_up_process="They confirm within a week whether the member was served.",
                      staff_tips="Ask for the intake coordinator." if i % 4 == 0 else None,
                      assured_on=verified, verified_by_id=verifier.id if verified and verifier else None,
                      assurer_email=verifier.email if verified and verifier else None)
    service.categories = [ServiceCategory(domain=domain)]
    service.languages = [ServiceLanguage(code=code) for code in languages]
    service.refresh_search(org)
    return service


def seed(rng) -> list[Organization]:
    """Add the demo directory to an empty one (it leaves a directory that has rows alone). Verifications are
    signed by the first coordinator (or admin), the flag by the first case manager, whoever the seed made."""
    if db.session.scalar(db.select(Organization.id).limit(1)) is not None:
        return []
    people = {role: db.session.scalar(db.select(User).where(User.role == role).order_by(User.id))
              for role in ("coordinator", "admin", "case_manager")}
    context = {"today": local_today(), "verifier": people["coordinator"] or people["admin"], "rng": rng,
               "payers": db.session.scalars(db.select(Payer).order_by(Payer.id)).all(),
               "hrsn": db.session.scalars(db.select(ServiceType).order_by(ServiceType.sort_order)).all()}
    organizations = [_organization(d * 4 + k, domain, entry, **context)
                     for d, (domain, entries) in enumerate(KINDS.items()) for k, entry in enumerate(entries)]
    flagger = people["case_manager"] or context["verifier"]
    db.session.add(DirectoryFlag(organization_id=organizations[1].id, note="The phone number goes to a fax.",
                                 flagged_by_id=flagger.id if flagger else None))
    return organizations


def _organization(i, domain, entry, *, today, verifier, rng, payers, hrsn) -> Organization:
    kind, service_name, eligibility, fee, wait = entry
    city, state, zip_code, county = PLACES[i % len(PLACES)]
    name = kind if kind.startswith(OWN_NAMES) else f"{city} {kind}"
    org = Organization(preferred_partner=i % 7 == 0, website=f"https://example.org/{i}", email=f"intake{i}@example.org",
                       description=f"{NEED_DOMAINS[domain]} in {county} County.")
    org.set_name(name)
    if domain in ("housing", "utilities") and payers:
        org.payers = payers[: 1 + i % len(payers)]
        provided = ("rent", "move_in") if domain == "housing" else ("utility",)
        org.hrsn_services = [s for s in hrsn if s.code in provided]
    languages = ["en"] + (["es"] if i % 3 == 0 or kind.startswith(OWN_NAMES[:4]) else []) \
        + (["vi"] if kind.startswith("Hội") else []) + (["ru"] if kind.startswith("Slavic") else [])
    # Every ninth entry was never verified, every fifth was verified more than a year ago.
    verified = None if i % 9 == 8 else today - timedelta(days=400 + i if i % 5 == 0 else 20 + i * 3)
    service = _service(org, domain, service_name, eligibility, fee, wait, languages, verified, verifier, i)
    place = Location(organization=org, name=f"{name} office", address_1=f"{100 + i * 7} Main St", city=city,
                     state_province=state, postal_code=zip_code, country="US")
    db.session.add_all([org, service, place])
    db.session.flush()
    db.session.add_all([
        ServiceAtLocation(service_id=service.id, location_id=place.id),
        Phone(organization_id=org.id, number=f"(541) 555-{1000 + i:04d}", type="voice"),
        Phone(organization_id=org.id, service_id=service.id, number=f"(503) 555-{2000 + i:04d}", type="voice"),
        ContactPerson(organization=org, name=rng.choice(CONTACTS), title="Intake"),
        Schedule(service_id=service.id, byday="MO,TU,WE,TH,FR", days=Schedule.mask("MO,TU,WE,TH,FR"),
                 opens_at="09:00", closes_at="17:00"),
        *[_area(service.id, area) for area in (f"{county} County", zip_code[:3] + "xx")]])
    return org


def _area(service_id: int, name: str) -> ServiceArea:
    area = ServiceArea(service_id=service_id)
    area.set_name(name)
    return area
