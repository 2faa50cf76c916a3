"""The project's formats (FORMAT_MODULE_PATH), over Django's for each language: dates
are entered and shown year first. The forms' date fields read more (core.dates); these
lists say how a date is shown in a form and written by the admin's calendar (the first
format), and leave out Django's month-first American forms."""
