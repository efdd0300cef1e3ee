def helper():
    # A lazy import inside a function still breaks the layers (the crisis → cases cycle was one).
    from xq_layers_fixture import high

    return high
