"""Regular expressions that say in the OpenAPI document exactly what a text field accepts.

Each is checked by the request models (Python's ``re``, as schema-driven clients and
fuzzers read them) and is no wider than what the service then accepts: dates are real
calendar dates, numbers are numbers the ingest rules take. Digits are ``[0-9]``, never
``\\d`` (which also matches other scripts' digits).
"""

from __future__ import annotations

_LON = r"-?(?:180(?:\.0{1,12})?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\.[0-9]{1,12})?)"
_LAT = r"-?(?:90(?:\.0{1,12})?|[1-8]?[0-9](?:\.[0-9]{1,12})?)"
_MD31 = r"(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
_MD30 = r"(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
_FEB = r"02-(?:0[1-9]|1[0-9]|2[0-8])"
#: Leap years of 1970-2099 (2000 is one; 2100, outside, would not be).
_LEAP_19 = r"19(?:7[26]|8[048]|9[26])"
_LEAP_20 = r"20(?:[02468][048]|[13579][26])"
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?"
_OFFSET = r"(?:Z|[+-](?:0[0-9]|1[0-4]):[0-5][0-9])"


def _date(years: str, leap: str) -> str:
    return rf"(?:{years}-(?:{_MD31}|{_MD30}|{_FEB})|{leap}-02-29)"


#: No NUL character (no database text type holds one).
TEXT = r"^[^\x00]*$"
#: Some character besides white space, and no NUL.
NON_BLANK = r"^[^\x00]*[^\x00\s][^\x00]*$"
#: A complaint's time: an RFC 3339 date-time with seconds and a UTC offset, 1970-2099.
CREATED_AT = (
    rf"^{_date(r'(?:19[7-9][0-9]|20[0-9]{2})', f'(?:{_LEAP_19}|{_LEAP_20})')}"
    rf"T{_TIME}{_OFFSET}$"
)
#: An ETA: a date (midnight in Moscow) or a date-time (offset optional: Moscow), 2000-2099.
ETA = (
    rf"^{_date(r'20[0-9]{2}', _LEAP_20)}"
    rf"(?:T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{{1,6}})?)?{_OFFSET}?)?$"
)
#: A Russian mobile number as people write it: +7, 8, 7 or nothing, then 9 and nine digits,
#: with spaces, dashes and brackets where they usually go.
MSISDN = r"^ *(?:\+7|8|7)?[ -]*\(?9[0-9]{2}\)?[ -]*[0-9]{3}[ -]*[0-9]{2}[ -]*[0-9]{2} *$"
#: ``min_lon,min_lat,max_lon,max_lat``: longitudes within ±180, latitudes within ±90.
BBOX = rf"^{_LON},{_LAT},{_LON},{_LAT}$"
