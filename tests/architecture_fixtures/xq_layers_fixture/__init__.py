"""A two-layer package whose lower layer imports the upper one: the import contract's fixture."""
