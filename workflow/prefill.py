"""What the portal already knows of an applicant, for the one form's fields (免填 from the account):
the apply page online and the self-service terminal fill the same fields the same
way (the data sources' 免填 comes on top, exchange.exemptions)."""


def account_values(fields, user, enterprises) -> dict:
    """{field key: value} of `fields` the signed-in applicant's account (and their enterprise, when
    they act for exactly one) already holds."""
    only = enterprises[0] if len(enterprises) == 1 else None
    known = {
        "applicant_name": user.real_name,
        "real_name": user.real_name,
        "name": user.real_name,
        "id_number": user.id_number,
        "applicant_id_number": user.id_number,
        "contact_phone": user.phone,
        "phone": user.phone,
        "applicant_phone": user.phone,
    }
    if only is not None:
        known.update(
            {
                "company_name": only.name,
                "credit_code": only.credit_code,
                "legal_representative": only.legal_representative,
            }
        )
    return {f.key: known[f.key] for f in fields if known.get(f.key)}
