"""Entry templates: the entry forms plugins provide (not Jinja page templates).

* :mod:`.specs` – the declarative :class:`~.specs.TemplateSpec` and its validation, snapshots.
* :mod:`.registry` – the versions the active plugins offer, snapshots entries keep, upgrades.
* :mod:`.forms` – an entry template as an HTML form, parsing it back, and its answers shown.
"""
