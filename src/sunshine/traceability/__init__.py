"""Traceability (溯源信息库): the EPCIS 2.0 event repository, and later trace and recall."""
