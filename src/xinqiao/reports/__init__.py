"""Reports across the apps (DESIGN.md: reads every app through selectors). First: the
de-identified research and teaching export (issue 16 item 3)."""
