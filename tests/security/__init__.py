"""Security tests: rendering, sessions, throttling, headers, access control, audit."""
