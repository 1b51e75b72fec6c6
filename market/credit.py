"""The credit score (信用分) shown in the directory: a pure function of what the contracts and the
blacklist record, so anyone can check it from the published counts.

    score = 100 - 10 × late deliveries - 10 × ratings of 1 or 2 stars - 20 × blacklist entries
            - 10 × complaints found true (supervision's complaint clocks, `Complaint.upheld`),
    never below 0.
"""

START = 100
PER_LATE = 10
PER_LOW_RATING = 10
PER_BLACKLISTING = 20
PER_UPHELD_COMPLAINT = 10
LOW_RATING = 2  # a rating at or below this counts against the score


def credit_score(*, late: int, low_ratings: int, blacklistings: int, complaints: int = 0) -> int:
    return max(0, START - PER_LATE * late - PER_LOW_RATING * low_ratings - PER_BLACKLISTING * blacklistings
               - PER_UPHELD_COMPLAINT * complaints)


def grade(score: int) -> str:
    if score >= 90:
        return "A"
    if score >= 75:
        return "B"
    if score >= 60:
        return "C"
    return "D"
