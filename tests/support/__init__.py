"""Test helpers shared by several suites (a real OpenID provider on loopback)."""
