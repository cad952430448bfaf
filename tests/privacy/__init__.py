"""Privacy rights and retention: inspection copy, transfer, erasure, retention, DPIA help."""
