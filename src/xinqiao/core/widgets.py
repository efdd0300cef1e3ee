"""The browser's own date and time pickers. They only take ISO values, whatever the UI language
(Chinese date formats such as 2026/12/01 would leave them empty)."""

from django import forms


class DatePicker(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimePicker(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")
