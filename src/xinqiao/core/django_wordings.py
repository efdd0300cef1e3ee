"""Django's own messages that read badly in Chinese, worded again in this project's catalogue.

The project's translations take precedence over Django's, so listing a message here (so that
``makemessages`` keeps it) and translating it in locale/zh_Hans changes it on every form.
Django says "确保该变量包含不超过 4000 字符" for a text that is too long (issue 17); a teacher
reads "最多 4000 个字".
"""

from django.utils.translation import ngettext_lazy

REWORDED = (
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
)
