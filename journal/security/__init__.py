"""Security: who someone is (sessions, tokens, passwords), what they may do
(access decisions), the audit trail, and the HTTP hardening of every response."""
