"""Labels that our libraries show on the admin's pages but do not translate into
Japanese (django-simple-history and django-axes ship no Japanese catalogue).

Marked here so that makemessages puts them in our catalogue, which Django reads
before the libraries' own: the same English text then reads in Japanese wherever
the library prints it. Nothing imports this module. (Two of simple-history's
templates are copied instead, because they needed changes: a breadcrumb and an empty
change reason.)"""

from django.utils.translation import gettext_noop

LABELS = (
    # django-simple-history: its history page and revert buttons (the two templates
    # it needed changed are copied under templates/simple_history/), the kinds of
    # change, and a deleted record's name.
    gettext_noop(
        "Choose a date from the list below to revert to a previous version of this object."
    ),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("Revert"),
    gettext_noop("Change History"),
    gettext_noop("Close"),
    gettext_noop("Created"),
    gettext_noop("Changed"),
    gettext_noop("Deleted"),
    gettext_noop("Deleted %(type_name)s"),
    gettext_noop("View history: %s"),
    gettext_noop("Change history: %s"),
    gettext_noop("View %s"),
    gettext_noop("Revert %s"),
    gettext_noop("You may edit it again below"),
    # django-axes: the login-protection records an administrator reads and clears.
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Logout Time"),
    gettext_noop("Expires At"),
    gettext_noop("Access Attempt"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
)
