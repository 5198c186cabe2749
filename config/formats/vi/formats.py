"""Vietnamese formats as schools write them: 23/11/2026, 07:30 23/11/2026, scores with a decimal comma (7,9)."""

DATE_FORMAT = "j \\t\\h\\á\\n\\g n \\n\\ă\\m Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "H:i, j \\t\\h\\á\\n\\g n \\n\\ă\\m Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j \\t\\h\\á\\n\\g n"
YEAR_MONTH_FORMAT = "\\t\\h\\á\\n\\g n \\n\\ă\\m Y"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%H:%M %d/%m/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
