"""The journal's own tests use the fixtures it ships to plugin authors (journal.plugins.testing)."""
