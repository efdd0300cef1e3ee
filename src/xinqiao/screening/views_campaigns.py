"""PLACEHOLDER of the base branch: the helper who owns this module replaces it whole."""


def campaign_list(request, pk=None):
    raise NotImplementedError


def campaign_create(request, pk=None):
    raise NotImplementedError


def campaign_detail(request, pk=None):
    raise NotImplementedError


def campaign_edit(request, pk=None):
    raise NotImplementedError


def campaign_announce(request, pk=None):
    raise NotImplementedError


def campaign_close(request, pk=None):
    raise NotImplementedError


def campaign_cancel(request, pk=None):
    raise NotImplementedError


def completion(request, pk=None):
    raise NotImplementedError


def class_codes(request, pk=None):
    raise NotImplementedError


def opt_outs(request, pk=None):
    raise NotImplementedError


def notice(request, pk=None):
    raise NotImplementedError


def opt_out(request, pk=None):
    raise NotImplementedError


def opt_out_withdraw(request, pk=None):
    raise NotImplementedError
