from django.urls import path

from xinqiao.core.views import (
    account,
    auth,
    backups,
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
    path("waiting/", waiting.waiting_list, name="waiting"),
    path("healthz", health.healthz, name="healthz"),
]
