"""Deprecated: moved to :mod:`journal.plugins.hookspecs`; this path works for one more release."""

from .plugins._deprecated import alias

alias(__name__)
