"""The pony form. Its messages are also the ones the browser-side check shows."""

from django import forms

from .models import Item

TITLE_REQUIRED = "Every pony needs a name."
TITLE_TOO_LONG = "Keep the name to 200 characters or fewer."
STATUS_INVALID = "Pick one of Grazing, Galloping or Show Ready."


class ItemForm(forms.ModelForm):
    class Meta:
        model = Item
        fields = ["title", "status", "notes"]
        labels = {"title": "Name", "status": "Status", "notes": "Notes"}
        error_messages = {
            "title": {
                "required": TITLE_REQUIRED,
                "blank": TITLE_REQUIRED,
                "max_length": TITLE_TOO_LONG,
            },
            "status": {"required": STATUS_INVALID, "invalid_choice": STATUS_INVALID},
        }
        # validation.js reads the data-message-* attributes, so the browser
        # and the server word every error the same way.
        widgets = {
            "title": forms.TextInput(
                attrs={
                    "autocomplete": "off",
                    "placeholder": "Thunder Hoof",
                    "data-message-required": TITLE_REQUIRED,
                    "data-message-maxlength": TITLE_TOO_LONG,
                    # A name of invisible characters only (models.is_blank).
                    "data-message-blank": TITLE_REQUIRED,
                }
            ),
            "status": forms.Select(attrs={"data-message-choice": STATUS_INVALID}),
            "notes": forms.Textarea(
                attrs={"rows": 5, "placeholder": "Favourite meadow, flying habits, quirks..."}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django counts a name's length in characters; a browser's maxlength
        # counts UTF-16 units and would stop a name of 150 pony emoji at 100.
        # validation.js reads data-maxlength and counts characters, like Django.
        title = self.fields["title"].widget.attrs
        title["data-maxlength"] = title.pop("maxlength")
