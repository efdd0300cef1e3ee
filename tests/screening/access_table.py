from tests.access import ALL_EXTRAS, Route

# The scale library and its licences: the counseling side, which chooses the scales.
ROUTES = [Route("screening:scale_list", frozenset({"director", "counselor"}), extras=ALL_EXTRAS)]
