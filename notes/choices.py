# The records a note may be written on, as (app_label, model).
NOTABLE_MODELS = (
    ("missions", "mission"),
    ("missions", "meeting"),
    ("agreements", "agreement"),
    ("projects", "project"),
    ("contacts", "organization"),
    ("contacts", "person"),
)

# The same, as the API names them: "contacts.person" -> ("contacts", "person").
TARGET_TYPES = {f"{app_label}.{model}": (app_label, model) for app_label, model in NOTABLE_MODELS}
