"""The intake of complaints and reports from integrations (12345 relays, apps): accepted at
high rate into a durable queue table, registered as complaints and reports by a job."""
