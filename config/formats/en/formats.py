# ISO 8601 first, and never the month-first 11/17/2026 a Japanese reader would misread.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d"]
