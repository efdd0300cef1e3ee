"""The demo's research export (issue 16 item 6): most demo cases get a guardian's research
consent (every fourth does not, and is left out of the export and counted), then the director
makes one export of the school year, k = 5, which stands in the register."""

from __future__ import annotations

import datetime

from django.utils import timezone

from xinqiao.cases.models import Case, Consent
from xinqiao.cases.services_consent import consent_record
from xinqiao.core.deidentify_table import default_k
from xinqiao.core.demo import DemoContext
from xinqiao.core.models import User
from xinqiao.people.models import School
from xinqiao.reports.models import ResearchExport
from xinqiao.reports.services_research import research_export_make, research_export_request

WITHOUT_CONSENT_EVERY = 4


def build(context: DemoContext) -> None:
    school: School = context.objects.get("school") or School.objects.get(code="demo")
    director = User.objects.get(username="director")
    cases = list(
        Case.objects.filter(school=school, brief_contact=False)
        .select_related("student")
        .order_by("opened_at", "pk")
    )
    if not cases:
        return
    for index, case in enumerate(cases):
        if index % WITHOUT_CONSENT_EVERY == WITHOUT_CONSENT_EVERY - 1:
            continue
        consent_record(
            actor=director,
            case=case,
            purpose=Consent.Purpose.RESEARCH,
            given_by=Consent.GivenBy.GUARDIAN,
            giver_name="监护人",
            given_on=timezone.localdate(case.opened_at),
            how="书面同意书",
        )
    today = timezone.localdate()
    start = min(timezone.localdate(c.opened_at) for c in cases)
    export = research_export_request(
        actor=director,
        school=school,
        period_start=datetime.date(start.year, start.month, 1),
        period_end=today,
        k=default_k(),
        include=list(ResearchExport.Include.values),
        queue=False,
    )
    context.objects.update(research_export=research_export_make(export=export))
