"""The one model of the example app: a pony in the stable (an "item")."""

import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

# Spaces, line breaks, control and format characters (zero-width space and
# joiners, the byte order mark, direction marks) draw nothing on screen.
INVISIBLE_CATEGORIES = {"Zs", "Zl", "Zp", "Cc", "Cf"}
# Letters and symbols that render as empty space all the same.
INVISIBLE_CHARACTERS = {"\u115f", "\u1160", "\u2800", "\u3164", "\uffa0"}


def is_blank(value: str) -> bool:
    """True when nothing in the text would show: str.strip() keeps U+200B and its kin."""
    return all(
        char in INVISIBLE_CHARACTERS or unicodedata.category(char) in INVISIBLE_CATEGORIES
        for char in value
    )


def validate_not_blank(value: str) -> None:
    if is_blank(value):
        raise ValidationError("Every pony needs a name.", code="blank")


class Item(models.Model):
    class Status(models.TextChoices):
        BACKLOG = "backlog", "Grazing"
        ACTIVE = "active", "Galloping"
        DONE = "done", "Show Ready"

    title = models.CharField(max_length=200, validators=[validate_not_blank])
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.BACKLOG)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-pk"]
        # The pony list reads one page in this order and counts by status: with
        # these indexes neither reads the whole table, however big the stable.
        indexes = [
            models.Index(fields=["-created", "-id"], name="pony_list_order"),
            models.Index(fields=["status"], name="pony_status"),
        ]
        verbose_name = "pony"
        verbose_name_plural = "my ponies"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("example_app:item_detail", args=[self.pk])
