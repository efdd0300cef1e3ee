"""PLACEHOLDER of the base branch: the helper who owns this module replaces it whole."""


def report_index(request, pk=None):
    raise NotImplementedError


def campaign_report(request, pk=None):
    raise NotImplementedError


def campaign_export(request, pk=None):
    raise NotImplementedError


def student_trend(request, pk=None):
    raise NotImplementedError


def class_trend(request, pk=None):
    raise NotImplementedError
