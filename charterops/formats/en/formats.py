"""The back office's one way of writing dates and times: "Sat 30 May 2024, 5:00 PM PDT".

Django reads these for every date and time the admin shows (lists, read-only fields),
in the zone the request activated (charterops.middleware: the owner's brand's zone), and
charterops.display uses the same formats for times it writes itself. "T" names the zone.
"""

DATETIME_FORMAT = "D j M Y, g:i A T"
SHORT_DATETIME_FORMAT = "D j M Y, g:i A T"
DATE_FORMAT = "D j M Y"
SHORT_DATE_FORMAT = "D j M Y"
TIME_FORMAT = "g:i A"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
# What the admin's date and time inputs accept: ISO, as the widgets write them.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%m/%d/%Y"]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M", "%I:%M %p"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
