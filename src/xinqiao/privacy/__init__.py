"""Watching the confidentiality rules work (issue 16): the access log for the director and the
supervision group, its filters and export, and the reading patterns flagged to the director."""
