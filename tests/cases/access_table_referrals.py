"""Access rows of referrals, consents, typical cases and the outside-services directory (see
tests/test_access_sweep.py).

The objects belong to the cast's school: the case is the cast's student's, held by the cast's
counselor (``tests.cases.factories.case_at``). Objects that a step uses up (a referral whose
outcome is recorded) are made anew for each role; the others are made once per cast.
"""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from tests.access import SECOND_COUNSELOR, Route

COUNSELING = frozenset({"director", "counselor"})
# Only a counselor of the case marks and edits a typical case; the director reads the case
# but does not hold it.
CASE_COUNSELOR = frozenset({"counselor"})
LIBRARY_READERS = COUNSELING | {"principal", "vice_principal"}

_numbers = itertools.count(1)


def _once(cast, name: str, build):
    """Built once per sweep test (the sweep forgets ``_sweep_cases`` between routes)."""
    cache = cast.__dict__.setdefault("_sweep_cases", {})
    if name not in cache:
        cache[name] = build()
    return cache[name]


def sweep_case(cast):
    """An active case of the cast's student, held by the cast's counselor."""
    from tests.cases.factories import case_at

    return _once(cast, "_sweep_case", lambda: case_at(cast, "active"))


def sweep_closed_case(cast):
    from tests.cases.factories import case_at

    return _once(cast, "_sweep_closed_case", lambda: case_at(cast, "closed"))


def guardian_consent(cast, case, purpose: str):
    from xinqiao.cases import services_consent

    return services_consent.consent_record(
        actor=cast.counselor,
        case=case,
        purpose=purpose,
        given_by="guardian",
        giver_name=cast.guardian_record.name,
        given_on=timezone.localdate(),
        how="签字同意书",
    )


def outside_service(cast, name: str = "市精神卫生中心"):
    from xinqiao.cases import services_directory
    from xinqiao.cases.models import OutsideService

    existing = OutsideService.objects.filter(school=cast.school, name=name).first()
    return existing or services_directory.service_save(
        actor=cast.counselor,
        school=cast.school,
        name=name,
        kind=OutsideService.Kind.HOSPITAL,
        address="解放路 100 号",
        phone="0571-88888888",
        handles="儿童青少年心理门诊",
    )


def sweep_service(cast):
    return _once(cast, "_sweep_service", lambda: outside_service(cast))


def sweep_consent(cast):
    return _once(
        cast, "_sweep_consent", lambda: guardian_consent(cast, sweep_case(cast), "referral")
    )


def new_external_referral(cast):
    """A fresh external referral of the sweep case (with the guardian's consent in force)."""
    from xinqiao.cases import services_referrals

    sweep_consent(cast)
    service = outside_service(cast, f"社区心理服务站{next(_numbers)}")
    return services_referrals.referral_create(
        actor=cast.counselor,
        case=sweep_case(cast),
        kind="external",
        reason="需要专业评估与药物咨询",
        follow_up_due=timezone.localdate() + datetime.timedelta(days=14),
        to_service=service,
    )


def sweep_referral(cast):
    return _once(cast, "_sweep_referral", lambda: new_external_referral(cast))


def sweep_typical(cast, *, publish: bool = True):
    """A typical case of a closed case, with the guardian's teaching consent, published."""

    from xinqiao.cases import services_typical

    def build():
        case = sweep_closed_case(cast)
        guardian_consent(cast, case, "teaching")
        typical = services_typical.typical_mark(actor=cast.counselor, case=case)
        return services_typical.typical_publish(actor=cast.counselor, typical=typical)

    return _once(cast, "_sweep_typical", build)


case_pk = {"case_pk": lambda cast: sweep_case(cast).pk}
service_pk = {"pk": lambda cast: sweep_service(cast).pk}
referral_pk = {"pk": lambda cast: sweep_referral(cast).pk}
fresh_referral_pk = {"pk": lambda cast: new_external_referral(cast).pk}
typical_pk = {"pk": lambda cast: sweep_typical(cast).pk}

ROUTES = [
    # the directory of outside services
    Route("cases:service_list", COUNSELING),
    Route("cases:service_create", COUNSELING),
    # The directory is the school's: every counselor keeps it.
    Route(
        "cases:service_edit",
        COUNSELING,
        kwargs=service_pk,
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route(
        "cases:service_deactivate",
        COUNSELING,
        kwargs=service_pk,
        method="post",
        ok=(302,),
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    # consent
    Route("cases:consent_list", COUNSELING, kwargs=case_pk, confidential=True),
    Route("cases:consent_create", COUNSELING, kwargs=case_pk, confidential=True),
    Route(
        "cases:consent_withdraw",
        COUNSELING,
        kwargs={
            "case_pk": lambda cast: sweep_case(cast).pk,
            "pk": lambda cast: sweep_consent(cast).pk,
        },
        method="post",
        ok=(302,),
        confidential=True,
    ),
    # referral
    Route("cases:referral_list", COUNSELING),
    Route("cases:referral_create", COUNSELING, kwargs=case_pk, confidential=True),
    Route("cases:referral_detail", COUNSELING, kwargs=referral_pk, confidential=True),
    Route(
        "cases:referral_outcome",
        COUNSELING,
        kwargs=fresh_referral_pk,
        method="post",
        data={"outcome": "已在医院就诊，定期复查"},
        ok=(302,),
        confidential=True,
    ),
    Route(
        "cases:referral_cancel",
        COUNSELING,
        kwargs=fresh_referral_pk,
        method="post",
        ok=(302,),
        confidential=True,
    ),
    Route("cases:referral_letter", COUNSELING, kwargs=referral_pk, confidential=True),
    # typical cases
    Route("cases:typical_list", LIBRARY_READERS),
    # A published typical case is de-identified: the school's counseling staff all read it.
    Route(
        "cases:typical_detail",
        LIBRARY_READERS,
        kwargs=typical_pk,
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route("cases:typical_edit", CASE_COUNSELOR, kwargs=typical_pk, confidential=True),
    Route(
        "cases:typical_unpublish",
        CASE_COUNSELOR,
        kwargs=typical_pk,
        method="post",
        ok=(302,),
        confidential=True,
    ),
    Route(
        "cases:typical_mark",
        CASE_COUNSELOR,
        kwargs={"case_pk": lambda cast: sweep_closed_case(cast).pk},
        confidential=True,
    ),
]
