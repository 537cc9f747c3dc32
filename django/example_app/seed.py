"""The starter roster a brand-new stable opens with."""

from .models import Item

STARTER_PONIES = [
    ("Thunder Hoof", "Loves long gallops along the ridge at dawn.", Item.Status.ACTIVE),
    ("Clover Blossom", "Prefers the east meadow; allergic to drama.", Item.Status.BACKLOG),
    ("Stardust Comet", "Practising a double loop for the autumn show.", Item.Status.DONE),
    ("Maple Whisper", "New to flying. Keep the clouds low for now.", Item.Status.BACKLOG),
    ("Juniper Gale", "Fastest wings in the stable, slowest at breakfast.", Item.Status.ACTIVE),
]


def add_starter_ponies() -> None:
    # The list shows the newest first: create the roster bottom-up.
    Item.objects.bulk_create(
        Item(title=title, notes=notes, status=status)
        for title, notes, status in reversed(STARTER_PONIES)
    )
