"""Django's zh-hans formats with ISO first among the input formats: a widget renders its
value with the first one, and <input type="date"> accepts only YYYY-MM-DD (with
"2026/12/04" the browser showed an empty field). The other typed forms are still read."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403
from django.conf.locale.zh_Hans.formats import DATE_INPUT_FORMATS as _DATE
from django.conf.locale.zh_Hans.formats import DATETIME_INPUT_FORMATS as _DATETIME


def _iso_first(formats: list[str], iso: list[str]) -> list[str]:
    return iso + [f for f in formats if f not in iso]


DATE_INPUT_FORMATS = _iso_first(_DATE, ["%Y-%m-%d"])
DATETIME_INPUT_FORMATS = _iso_first(_DATETIME, ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S.%f"])
