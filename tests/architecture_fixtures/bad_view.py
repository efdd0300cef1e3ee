"""A view module that reaches protected models around the kernel: the AST check's fixture.

Never imported; tests/test_architecture.py reads it as text.
"""

from django.shortcuts import get_object_or_404

from xinqiao.cases.models import Case, SessionRecord


def case_detail(request, pk):
    case = get_object_or_404(Case, pk=pk)  # bypass 1
    records = SessionRecord.objects.filter(case=case)  # bypass 2
    latest = Case.objects.select_related("student").filter(pk=pk).first()  # bypass 3
    scoped = Case.objects.for_user(request.user).filter(pk=pk)  # through the kernel: allowed
    return case, records, latest, scoped
