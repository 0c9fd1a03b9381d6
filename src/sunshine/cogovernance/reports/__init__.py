"""Whistleblower reports (吹哨人 / 举报): leads from anyone, identity kept secret, rewards."""
