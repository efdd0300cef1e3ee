from xq_layers_fixture import low  # noqa: F401 (allowed: high sits above low)
