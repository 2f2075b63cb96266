"""The site's date formats for English, so the admin reads dates as the pages do.

Django prefers a locale's formats over the DATE_FORMAT setting; this module
(FORMAT_MODULE_PATH) is that locale's formats. The strings live in
auromart.formatting, the one place that says how dates read.
"""

from auromart.formatting import DATE_FORMAT, DATETIME_FORMAT

SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
__all__ = ["DATETIME_FORMAT", "DATE_FORMAT", "SHORT_DATETIME_FORMAT", "SHORT_DATE_FORMAT"]
