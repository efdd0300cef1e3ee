"""PLACEHOLDER of the base branch: the helper who owns this module replaces it whole."""


def give_scale(request, pk=None):
    raise NotImplementedError
