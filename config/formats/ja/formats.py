# 2019/08/29, as Japanese forms show a date; the calendar of the admin writes this form.
DATE_INPUT_FORMATS = ["%Y/%m/%d", "%Y-%m-%d"]
