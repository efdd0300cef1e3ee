"""Screening reports: completion, bands and subscale profiles of a campaign, trends of a student
and of a class across campaigns, and the rows of the counseling side's export.

Every figure is counted in a few queries per campaign whatever its size. The counseling side of
the school reads exact counts; anyone else allowed the reports (its leadership) reads the band
counts and the means with the small ones hidden so that none can be worked out from the totals
(``suppression.py``). Completion (invited, submitted, opted out) is exact for both: it is what
``screening.view_completion`` already shows them, so the hiding is safe *given* it.

Results are flags for a follow-up interview, never diagnoses.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from xinqiao.core.roles import COUNSELING_ROLES, LEADERSHIP_ROLES
from xinqiao.people.models import SchoolClass, Semester, Student
from xinqiao.screening import suppression
from xinqiao.screening.definitions import PRIMARY_LANGUAGE, ScaleDefinition
from xinqiao.screening.library import current_library
from xinqiao.screening.models import Campaign, FollowUp, Participation, Response

REPORT_ROLES = COUNSELING_ROLES | LEADERSHIP_ROLES
REPORTED_STATES = (Campaign.State.ANNOUNCED, Campaign.State.CLOSED)
NO_BAND = ""
SCHOOL, GRADE, CLASS = "school", "grade", "class"
SUPPRESS_BELOW = suppression.SUPPRESS_BELOW


def in_language(text: dict[str, str]) -> str:
    english = (get_language() or "").startswith("en")
    return text.get("en") if english and "en" in text else text.get(PRIMARY_LANGUAGE, "")


def definition_of(scale_id: str, version: str) -> ScaleDefinition | None:
    return current_library().definitions.get((scale_id, version))


def full_counts(user, school_id: int) -> bool:
    """The counseling side of the school reads exact counts; others read them suppressed."""
    return user.has_role(*COUNSELING_ROLES, school_id=school_id)


# --- which campaigns ------------------------------------------------------------------------------
def report_campaigns(user, *, semester: Semester | None = None, school_year: int | None = None):
    """The announced and closed campaigns of the schools whose reports ``user`` reads."""
    campaigns = Campaign.objects.for_user(user).filter(
        school_id__in=user.school_ids_with(*REPORT_ROLES), state__in=REPORTED_STATES
    )
    if semester is not None:
        campaigns = campaigns.filter(
            opens_at__date__gte=semester.starts_on, opens_at__date__lte=semester.ends_on
        )
    elif school_year is not None:
        semesters = Semester.objects.filter(
            school_id__in=user.school_ids_with(*REPORT_ROLES), school_year=school_year
        )
        window = Q(pk__in=[])
        for s in semesters:
            window |= Q(
                school_id=s.school_id,
                opens_at__date__gte=s.starts_on,
                opens_at__date__lte=s.ends_on,
            )
        campaigns = campaigns.filter(window)
    return campaigns.select_related("school").order_by("-opens_at", "-pk")


def report_semesters(user) -> QuerySet[Semester]:
    return Semester.objects.filter(school_id__in=user.school_ids_with(*REPORT_ROLES)).order_by(
        "-starts_on"
    )


# --- one campaign ---------------------------------------------------------------------------------
@dataclass
class Group:
    """A row: the school, a grade (its classes summed) or a class; completion is exact."""

    key: str
    level: str
    label: str
    invited: int = 0
    submitted: int = 0
    opted_out: int = 0
    class_id: int | None = None
    grade_id: int | None = None

    @property
    def completion_percent(self) -> float | None:
        expected = self.invited - self.opted_out
        return round(100 * self.submitted / expected, 1) if expected > 0 else None


@dataclass
class Cell:
    count: int | None  # None when hidden: the hidden number never reaches a template or JSON
    hidden: str = ""  # "", suppression.SMALL or suppression.COMPLEMENT
    percent: float | None = None


@dataclass
class BandRow:
    group: Group
    cells: list[Cell]


@dataclass
class ProfileRow:
    group: Group
    means: list[float | None]  # None: no valid value, or hidden (a group under 5)
    counts: list[int]


@dataclass
class ScaleReport:
    scale_id: str
    version: str
    name: str
    bands: list[tuple[str, str]]  # (id, label), NO_BAND last when a result had none
    follow_up_bands: set[str]
    rows: list[BandRow]
    scores: list[tuple[str, str]]  # the total and each subscale: (id, name)
    profile: list[ProfileRow]


@dataclass
class CampaignReport:
    campaign: Campaign
    full: bool
    groups: list[Group]
    scales: list[ScaleReport]
    follow_ups: dict[str, int] = field(default_factory=dict)

    @property
    def any_hidden(self) -> bool:
        return any(
            cell.hidden for scale in self.scales for row in scale.rows for cell in row.cells
        ) or any(
            m is None and n > 0
            for scale in self.scales
            for r in scale.profile
            for m, n in zip(r.means, r.counts, strict=True)
        )

    def chart_data(self) -> dict:
        """What the charts draw: the same figures as the tables (hidden ones as null)."""
        scales = []
        for scale in self.scales:
            # Per class; for a reader of hidden counts the grades and the school too, where
            # the bigger groups keep more of their bars.
            class_rows = [
                row for row in scale.rows if row.group.level == CLASS or not self.full
            ] or [row for row in scale.rows if row.group.level == SCHOOL]
            scales.append(
                {
                    "id": scale.scale_id,
                    "name": scale.name,
                    "groups": [row.group.label for row in class_rows],
                    "bands": [
                        {
                            "name": label,
                            "counts": [row.cells[i].count for row in class_rows],
                        }
                        for i, (_id, label) in enumerate(scale.bands)
                    ],
                    "scores": [name for _id, name in scale.scores],
                    "profile": [
                        {"name": row.group.label, "means": row.means} for row in scale.profile
                    ],
                }
            )
        return {"scales": scales}


def _class_label(school_class: SchoolClass | None) -> str:
    return (
        school_class.name if school_class is not None else pgettext("screening report", "Teachers")
    )


def _groups(campaign: Campaign) -> tuple[list[Group], dict[int | None, Group], dict]:
    """The rows in order (per grade: its classes, then the grade; the school last) with their
    completion, the class rows by class id (None: teachers) and the grade of each class."""
    counts = (
        Participation.objects.filter(campaign=campaign)
        .values("school_class_id", "state")
        .annotate(n=Count("pk"))
    )
    classes = {
        c.pk: c
        for c in SchoolClass.objects.filter(
            pk__in={row["school_class_id"] for row in counts if row["school_class_id"]}
        ).select_related("grade")
    }
    by_class: dict[int | None, Group] = {}
    for row in counts:
        class_id = row["school_class_id"] if row["school_class_id"] in classes else None
        group = by_class.get(class_id)
        if group is None:
            school_class = classes.get(class_id)
            group = by_class[class_id] = Group(
                key=f"c{class_id}" if class_id else "teachers",
                level=CLASS,
                label=_class_label(school_class),
                class_id=class_id,
                grade_id=school_class.grade_id if school_class else None,
            )
        group.invited += row["n"]
        if row["state"] == Participation.State.SUBMITTED:
            group.submitted += row["n"]
        elif row["state"] == Participation.State.OPTED_OUT:
            group.opted_out += row["n"]

    def order(class_id):
        c = classes.get(class_id)
        return (0, c.grade.level, c.number) if c else (1, 0, 0)

    ordered: list[Group] = []
    school = Group(key="school", level=SCHOOL, label=pgettext("screening report", "Whole school"))
    grade_of: dict[int | None, Group | None] = {}
    current: Group | None = None
    for class_id in sorted(by_class, key=order):
        group = by_class[class_id]
        c = classes.get(class_id)
        if c is not None and (current is None or current.grade_id != c.grade_id):
            if current is not None:
                ordered.append(current)
            current = Group(
                key=f"g{c.grade_id}", level=GRADE, label=c.grade.name, grade_id=c.grade_id
            )
        elif c is None and current is not None:
            ordered.append(current)
            current = None
        ordered.append(group)
        grade_of[class_id] = current
        for total in filter(None, (current, school)):
            total.invited += group.invited
            total.submitted += group.submitted
            total.opted_out += group.opted_out
    if current is not None:
        ordered.append(current)
    ordered.append(school)
    return ordered, by_class, grade_of


def completion_groups(campaign: Campaign) -> list[Group]:
    """The class rows of the campaign with their completion (counts only)."""
    groups, _by_class, _grade_of = _groups(campaign)
    return [g for g in groups if g.level == CLASS]


def _scale_report(
    campaign: Campaign,
    scale_id: str,
    version: str,
    groups: list[Group],
    by_class: dict,
    grade_of: dict,
    responses: list[tuple],
    full: bool,
) -> ScaleReport:
    definition = definition_of(scale_id, version)
    bands: list[tuple[str, str]] = []
    follow_up_bands: set[str] = set()
    scores: list[tuple[str, str]] = []
    if definition is not None:
        bands = [(b.id, in_language(b.label)) for b in definition.total.bands]
        follow_up_bands = {b.id for b in definition.total.bands if b.follow_up}
        scores = [(definition.total.id, in_language(definition.total.name))] + [
            (s.id, in_language(s.name)) for s in definition.subscales
        ]
        name = in_language(definition.name)
    else:
        name = scale_id
    # Per group: band counts, and per score the values for the means.
    band_counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    values: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for class_id, _scale, band, total, subscales in responses:
        class_group = by_class.get(class_id if class_id in by_class else None)
        if class_group is None:
            continue
        keys = [class_group.key, "school"]
        grade = grade_of.get(class_group.class_id)
        if grade is not None:
            keys.append(grade.key)
        if band not in {b for b, _label in bands}:
            band = NO_BAND
        score_values = {}
        if definition is not None:
            if total is not None:
                score_values[definition.total.id] = float(total)
            for sid, sub in (subscales or {}).items():
                if sub.get("value") is not None and sub.get("valid", True):
                    score_values[sid] = float(sub["value"])
        for key in keys:
            band_counts[key][band] += 1
            for sid, value in score_values.items():
                values[key][sid].append(value)
    if any(counts.get(NO_BAND) for counts in band_counts.values()):
        bands.append((NO_BAND, _("No band (too many unanswered)")))

    hidden: dict = {}
    if not full:
        hidden = _suppress_bands(groups, by_class, grade_of, bands, band_counts)
    rows = []
    for group in groups:
        cells = []
        for band_id, _label in bands:
            count = band_counts[group.key][band_id]
            reason = hidden.get((group.key, band_id), "")
            percent = (
                round(100 * count / group.submitted, 1) if group.submitted and not reason else None
            )
            cells.append(Cell(count=None if reason else count, hidden=reason, percent=percent))
        rows.append(BandRow(group=group, cells=cells))
    profile = []
    profile_groups = [g for g in groups if g.level != CLASS] if not full else groups
    hidden_means = _suppress_means(profile_groups, values, scores) if not full else set()
    for group in profile_groups:
        means, counts = [], []
        for sid, _name in scores:
            found = values[group.key][sid]
            counts.append(len(found))
            shown = found and (group.key, sid) not in hidden_means
            means.append(round(sum(found) / len(found), 2) if shown else None)
        profile.append(ProfileRow(group=group, means=means, counts=counts))
    return ScaleReport(
        scale_id=scale_id,
        version=version,
        name=name,
        bands=bands,
        follow_up_bands=follow_up_bands,
        rows=rows,
        scores=scores,
        profile=profile,
    )


def _suppress_bands(groups, by_class, grade_of, bands, band_counts) -> dict:
    """Which band cells to hide from a reader outside the counseling side: each group's bands
    add up to its submitted count (exact and public), the classes of a grade to the grade, the
    class rows and grades to the school."""
    table = suppression.Table()
    band_ids = [b for b, _label in bands]
    for group in groups:
        table.add(("n", group.key), group.submitted, public=True)
        for band_id in band_ids:
            key = (group.key, band_id)
            table.add(key, band_counts[group.key][band_id], public=group.submitted == 0)
            if 0 < group.submitted < SUPPRESS_BELOW:
                table.whole_group_hidden.add(key)
        table.add_sum(("n", group.key), [(group.key, b) for b in band_ids])
    top = [g for g in groups if g.level == GRADE] + [
        g for g in by_class.values() if grade_of.get(g.class_id) is None
    ]
    for grade in (g for g in groups if g.level == GRADE):
        members = [g for g in by_class.values() if grade_of.get(g.class_id) is grade]
        for band_id in band_ids:
            table.add_sum((grade.key, band_id), [(m.key, band_id) for m in members])
    for band_id in band_ids:
        table.add_sum(("school", band_id), [(g.key, band_id) for g in top])
    return suppression.suppress(table)


def _suppress_means(groups: list[Group], values: dict, scores: list) -> set:
    """A mean of fewer than 5 values is hidden; the school's too when exactly one grade's is
    (with the counts known, the school's mean would give it away)."""
    hidden = set()
    for sid, _name in scores:
        for group in groups:
            if 0 < len(values[group.key][sid]) < SUPPRESS_BELOW:
                hidden.add((group.key, sid))
        parts = [g for g in groups if g.level != SCHOOL]
        if sum((g.key, sid) in hidden for g in parts) == 1:
            hidden.add(("school", sid))
    return hidden


def campaign_report(campaign: Campaign, *, full: bool) -> CampaignReport:
    groups, by_class, grade_of = _groups(campaign)
    responses = list(
        Response.objects.filter(
            participation__campaign=campaign,
            participation__state=Participation.State.SUBMITTED,
            scored_at__isnull=False,
        ).values_list("participation__school_class_id", "scale_id", "band", "total", "subscales")
    )
    per_scale = defaultdict(list)
    for row in responses:
        per_scale[row[1]].append(row)
    scales = [
        _scale_report(
            campaign, scale_id, version, groups, by_class, grade_of, per_scale[scale_id], full
        )
        for scale_id, version in campaign.scale_keys
    ]
    report = CampaignReport(campaign=campaign, full=full, groups=groups, scales=scales)
    if full:
        report.follow_ups = dict(
            FollowUp.objects.filter(participation__campaign=campaign)
            .values_list("conclusion")
            .annotate(n=Count("pk"))
        )
    return report


# --- the counseling side's export ------------------------------------------------------------------
def export_rows(campaign: Campaign) -> tuple[list[str], list[list]]:
    """One row per participant: who, the class, each scale's total, band and critical flag,
    and the follow-up's state."""
    keys = campaign.scale_keys
    header = [_("Student number"), pgettext("person", "Name"), _("Class"), _("State")]
    band_labels: dict[str, dict[str, str]] = {}
    for scale_id, version in keys:
        definition = definition_of(scale_id, version)
        name = in_language(definition.name) if definition else scale_id
        band_labels[scale_id] = (
            {b.id: in_language(b.label) for b in definition.total.bands} if definition else {}
        )
        header += [
            _("%(scale)s total") % {"scale": name},
            _("%(scale)s band") % {"scale": name},
            _("%(scale)s critical answer") % {"scale": name},
        ]
    header.append(pgettext("screening report", "Follow-up"))
    participations = (
        Participation.objects.filter(campaign=campaign)
        .select_related("student", "teacher", "school_class__grade", "follow_up")
        .prefetch_related("responses")
        .order_by(
            "school_class__grade__level", "school_class__number", "student__student_number", "pk"
        )
    )
    rows = []
    for p in participations:
        person = p.student or p.teacher
        number = p.student.student_number if p.student_id else ""
        row = [
            number,
            person.name if person else "",
            _class_label(p.school_class),
            p.get_state_display(),
        ]
        responses = {r.scale_id: r for r in p.responses.all()}
        for scale_id, _version in keys:
            r = responses.get(scale_id)
            if r is None or r.scored_at is None:
                row += ["", "", ""]
                continue
            row += [
                float(r.total) if r.total is not None else "",
                band_labels[scale_id].get(r.band, r.band),
                _("yes") if r.critical_level else "",
            ]
        follow_up = getattr(p, "follow_up", None) if _has_follow_up(p) else None
        row.append(follow_up.get_conclusion_display() if follow_up else "")
        rows.append(row)
    return header, rows


def _has_follow_up(participation: Participation) -> bool:
    try:
        participation.follow_up  # noqa: B018
    except FollowUp.DoesNotExist:
        return False
    return True


# --- trends ---------------------------------------------------------------------------------------
@dataclass
class TrendPoint:
    when: datetime
    source: str  # the campaign's title, or "given during a case"
    total: float | None
    band: str
    follow_up: bool
    critical: bool


@dataclass
class ScaleTrend:
    scale_id: str
    name: str
    points: list[TrendPoint]
    low: int | None = None  # the total's range, for the chart's axis
    high: int | None = None


def student_trend(user, student: Student) -> list[ScaleTrend]:
    """The student's scored results, campaign and case alike, oldest first, one line per scale.

    A scale given during a case shows only to those who may open that case: the trend must not
    tell another counselor that the student has a case (DESIGN.md principle 4)."""
    from xinqiao.cases.models import Case

    cases = Case.objects.for_user(user).values("pk")
    responses = (
        Response.objects.for_user(user)
        .filter(participation__student=student, scored_at__isnull=False)
        .filter(Q(participation__case__isnull=True) | Q(participation__case__in=cases))
        .select_related("participation__campaign")
        .order_by("scored_at", "pk")
    )
    trends: dict[str, ScaleTrend] = {}
    for r in responses:
        definition = definition_of(r.scale_id, r.scale_version)
        trend = trends.get(r.scale_id)
        if trend is None:
            name = in_language(definition.name) if definition else r.scale_id
            trend = trends[r.scale_id] = ScaleTrend(scale_id=r.scale_id, name=name, points=[])
            if definition is not None:
                # The raw total (Response.total), before any multiplier.
                trend.low, trend.high = definition.score_range(definition.total)
        labels = {b.id: in_language(b.label) for b in definition.total.bands} if definition else {}
        campaign = r.participation.campaign
        trend.points.append(
            TrendPoint(
                when=r.participation.submitted_at or r.scored_at,
                source=campaign.title if campaign else _("Given during a case"),
                total=float(r.total) if r.total is not None else None,
                band=labels.get(r.band, r.band),
                follow_up=r.follow_up,
                critical=bool(r.critical_level),
            )
        )
    return list(trends.values())


@dataclass
class ClassTrendRow:
    campaign: Campaign
    row: BandRow


@dataclass
class ClassTrend:
    scale_id: str
    name: str
    bands: list[tuple[str, str]]
    rows: list[ClassTrendRow]


def class_trend(user, school_class: SchoolClass, *, full: bool) -> list[ClassTrend]:
    """The class's band distribution in each campaign it sat, per scale, oldest first: each row
    is the class's row of that campaign's report (hidden the same way for the same reader)."""
    campaigns = (
        report_campaigns(user)
        .filter(participations__school_class=school_class)
        .distinct()
        .order_by("opens_at", "pk")
    )
    trends: dict[str, ClassTrend] = {}
    for campaign in campaigns:
        report = campaign_report(campaign, full=full)
        for scale in report.scales:
            row = next((r for r in scale.rows if r.group.class_id == school_class.pk), None)
            if row is None:
                continue
            trend = trends.get(scale.scale_id)
            if trend is None:
                trend = trends[scale.scale_id] = ClassTrend(
                    scale_id=scale.scale_id, name=scale.name, bands=[], rows=[]
                )
            for band in scale.bands:
                if band not in trend.bands:
                    trend.bands.append(band)
            trend.rows.append(ClassTrendRow(campaign=campaign, row=_aligned(row, scale, trend)))
    for trend in trends.values():
        for item in trend.rows:
            item.row = _pad(item.row, len(trend.bands))
    return list(trends.values())


def _aligned(row: BandRow, scale: ScaleReport, trend: ClassTrend) -> BandRow:
    by_band = dict(zip([b for b, _l in scale.bands], row.cells, strict=True))
    order = [b for b, _l in trend.bands]
    cells = [by_band.get(b, Cell(count=0, percent=0.0)) for b in order]
    return BandRow(group=row.group, cells=cells)


def _pad(row: BandRow, width: int) -> BandRow:
    return BandRow(group=row.group, cells=row.cells + [Cell(count=0)] * (width - len(row.cells)))
