from django.urls import path

from xinqiao.core.views import (
    account,
    auth,
    backups,
    delivery,
    health,
    home,
    notifications,
    retention,
    security,
    waiting,
)

app_name = "core"

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/sign-in/", auth.SignInView.as_view(), name="login"),
    path("accounts/sign-out/", auth.sign_out, name="logout"),
    path("accounts/verify/", auth.otp_verify, name="otp_verify"),
    path("accounts/two-factor/", auth.otp_enroll, name="otp_enroll"),
    path("accounts/password/", auth.password_change, name="password_change"),
    path("accounts/security/", account.account_security, name="account_security"),
    path("accounts/tokens/<int:pk>/revoke/", account.api_token_revoke, name="api_token_revoke"),
    path("accounts/sign-out-everywhere/", account.sign_out_everywhere, name="sign_out_everywhere"),
    path("security/lockouts/", security.lockouts, name="lockouts"),
    path("security/lockouts/unlock/", security.unlock, name="unlock"),
    path("security/events/", security.security_events, name="security_events"),
    path("backups/", backups.backup_list, name="backups"),
    path("backups/start/", backups.backup_start, name="backup_start"),
    path("backups/<int:pk>/progress/", backups.backup_progress, name="backup_progress"),
    path("retention/", retention.retention_review, name="retention"),
    path("retention/periods/", retention.retention_periods, name="retention_periods"),
    path("retention/<str:key>/", retention.retention_type, name="retention_type"),
    path("backups/keys/export/", backups.key_export, name="key_export"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/read/", notifications.notifications_mark_read, name="notifications_mark_read"
    ),
    path("notifications/bell/", notifications.notification_bell, name="notification_bell"),
    path(
        "notifications/<int:pk>/acknowledge/",
        notifications.notification_acknowledge_view,
        name="notification_acknowledge",
    ),
    path("ack/<str:token>/", notifications.acknowledge_link, name="acknowledge_link"),
    path("delivery/channels/", delivery.channel_list, name="delivery_channels"),
    path("delivery/channels/add/", delivery.channel_add, name="delivery_channel_add"),
    path("delivery/channels/<int:pk>/", delivery.channel_edit, name="delivery_channel_edit"),
    path(
        "delivery/channels/<int:pk>/delete/",
        delivery.channel_delete,
        name="delivery_channel_delete",
    ),
    path("delivery/channels/<int:pk>/test/", delivery.channel_test, name="delivery_channel_test"),
    path("delivery/", delivery.delivery_list, name="deliveries"),
    path("delivery/<int:pk>/retry/", delivery.delivery_retry, name="delivery_retry"),
    path("waiting/", waiting.waiting_list, name="waiting"),
    path("healthz", health.healthz, name="healthz"),
    path("robots.txt", health.robots_txt, name="robots_txt"),
]
