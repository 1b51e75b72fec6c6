"""Who sees what of the supervision (issue 15: a supervisor's district)."""
