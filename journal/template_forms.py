"""Deprecated: moved to :mod:`journal.plugins.entry_templates.forms`; this path works for one more release."""

from .plugins._deprecated import alias

alias(__name__)
