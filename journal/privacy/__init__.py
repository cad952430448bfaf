"""Privacy rights and retention (GDPR, Flemish pupil-guidance rules).

* :mod:`.dossier` finds every stored document about one pupil;
* :mod:`.redaction` removes other pupils' names before anything leaves the school;
* :mod:`.export` builds the parents' inspection copy (printable HTML and JSON);
* :mod:`.transfer` builds the package for a change of school;
* :mod:`.erasure` erases a pupil and everything that refers to them;
* :mod:`.retention` finds what the school's retention periods say must go;
* :mod:`.dpia` exports the data inventory and the role/access matrix for a DPIA.
"""
