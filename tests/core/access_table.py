from tests.access import EVERYONE, STAFF, Route
from xinqiao.core.models import DeliveryChannel


def email_channel(cast) -> int:
    return DeliveryChannel.objects.create(
        school_id=cast.school.pk, kind="email", name="邮件", after_minutes=5
    ).pk


ROUTES = [
    Route("core:home", EVERYONE),
    Route("core:login", EVERYONE, public=True, ok=(200, 302)),
    Route("core:logout", EVERYONE, method="post", ok=(302,), public=True),
    Route("core:otp_verify", EVERYONE, ok=(302,)),  # nothing to verify: back home
    Route("core:otp_enroll", EVERYONE),
    Route("core:password_change", EVERYONE),
    Route("core:account_security", EVERYONE),
    Route("core:api_token_revoke", frozenset(), kwargs={"pk": 999999}, method="post"),
    Route("core:sign_out_everywhere", EVERYONE, method="post", ok=(302,)),
    Route("core:lockouts", frozenset({"admin"})),
    Route("core:unlock", frozenset({"admin"}), method="post", data={"username": "x"}, ok=(302,)),
    Route("core:security_events", frozenset({"admin"})),
    Route("core:backups", frozenset({"admin"})),
    Route("core:backup_start", frozenset({"admin"}), method="post", ok=(302,)),
    Route("core:backup_progress", frozenset(), kwargs={"pk": 999999}),
    Route("core:retention", frozenset({"director"})),
    Route(
        "core:retention_periods",
        frozenset({"director"}),
        method="post",
        data={"core.accesslog": 3, "cases.case": 3, "rooms.intake": 3},
        ok=(302, 400),
    ),
    # Without ?school= each director sees their own school's list.
    Route(
        "core:retention_type",
        frozenset({"director"}),
        kwargs={"key": "cases.case"},
        extras=frozenset({"foreign_director"}),
    ),
    # Without a password the admin gets the page back with the form's errors.
    Route("core:key_export", frozenset({"admin"}), method="post", ok=(400,)),
    Route("core:notifications", EVERYONE),
    Route("core:notifications_mark_read", EVERYONE, method="post", ok=(302,)),
    Route("core:notification_bell", EVERYONE),
    Route("core:notification_acknowledge", frozenset(), kwargs={"pk": 999999}, method="post"),
    # Issue 14: the link of outside messages, for its holder without signing in; a made-up
    # token is "not valid" for everyone.
    Route(
        "core:acknowledge_link",
        EVERYONE,
        kwargs={"token": "not-a-token"},
        ok=(404,),
        public=True,
        extras=frozenset(),
    ),
    Route("core:delivery_channels", frozenset({"admin"})),
    Route("core:delivery_channel_add", frozenset({"admin"}), method="post", ok=(400,)),
    Route("core:delivery_channel_edit", frozenset({"admin"}), kwargs={"pk": email_channel}),
    Route(
        "core:delivery_channel_delete",
        frozenset({"admin"}),
        kwargs={"pk": email_channel},
        method="post",
        ok=(302,),
    ),
    Route(
        "core:delivery_channel_test",
        frozenset({"admin"}),
        kwargs={"pk": email_channel},
        method="post",
        ok=(302,),
    ),
    Route("core:deliveries", frozenset({"admin", "director"})),
    Route("core:delivery_retry", frozenset(), kwargs={"pk": 999999}, method="post"),
    Route("core:waiting", EVERYONE),
    Route("core:healthz", EVERYONE, public=True),
    Route("core:robots_txt", EVERYONE, public=True),
    Route("set_language", EVERYONE, method="post", data={"language": "en"}, ok=(302,), public=True),
    Route("GET /api/me", EVERYONE),
    Route("GET /api/notifications", EVERYONE),
    Route(
        "POST /api/notifications/{notification_id}/acknowledge",
        frozenset(),
        kwargs={"notification_id": 999999},
        method="post",
    ),
    # Issue 12 item 17: signed-in staff only (they answered without sign-in).
    Route("GET /api/docs", STAFF),
    Route("GET /api/openapi.json", STAFF),
]

STAFF_ROUTES = STAFF  # re-exported for the people table
