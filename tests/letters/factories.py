"""Letters for tests, sent through the service (the danger-phrase check included)."""

from __future__ import annotations

from django.core.cache import cache

from xinqiao.letters import services
from xinqiao.people.models import School


def send_letter(writer, *, body: str, anonymous: bool = False, key: str | None = None):
    """A letter from ``writer``; the same ``key`` gives the same letter (and pickup code).

    The daily limit is counted in the cache, which outlives the tests' rolled-back database:
    each helper call starts it afresh."""
    cache.delete(services.daily_count_key(writer))
    school = School.objects.get(pk=min(writer.school_ids))
    return services.letter_send(
        writer=writer,
        school=school,
        body=body,
        anonymous=anonymous,
        submission_key=key or services.new_submission_key(),
    )
