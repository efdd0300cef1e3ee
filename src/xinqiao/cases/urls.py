"""URLs of case work. Each part of the app keeps its own list; this module joins them."""

from xinqiao.cases.urls_file import urlpatterns as file_patterns
from xinqiao.cases.urls_referrals import urlpatterns as referral_patterns
from xinqiao.cases.urls_stats import urlpatterns as stats_patterns
from xinqiao.cases.urls_workflow import urlpatterns as workflow_patterns

app_name = "cases"

urlpatterns = [*workflow_patterns, *referral_patterns, *file_patterns, *stats_patterns]
