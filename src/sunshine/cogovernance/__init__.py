"""Social co-governance (社会共治): reviews, complaints, whistleblower reports and rewards."""
