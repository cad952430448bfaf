"""Reminders that reach people outside the journal: a personal calendar feed and e-mail digests.

* :mod:`.calendar` builds iCalendar documents from plain items (reusable by a centre
  that merges items from several schools);
* :mod:`.agenda` finds what is coming for one person (goal reviews, class visits,
  meetings);
* :mod:`.feeds` keeps the secret feed addresses and turns the agenda into items;
* :mod:`.mail` and :mod:`.digests` send counts-and-links digests through the school's
  SMTP server; :mod:`.scheduler` runs them from ``journal serve``.

Links in both point at :func:`journal.public_address.public_url`.
"""
