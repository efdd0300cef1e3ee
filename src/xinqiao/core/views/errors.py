"""Friendly error pages that say nothing about what exists or why it failed."""

from django.shortcuts import render


def forbidden(request, exception=None):
    return render(request, "403.html", status=403)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors: the failure may be in the database they would query.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())


def bad_request(request, exception=None):
    """A value in the address that cannot be read (core/params.py), or another bad request."""
    return render(request, "400.html", status=400)
