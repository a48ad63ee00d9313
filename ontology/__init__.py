"""incident-kg."""
