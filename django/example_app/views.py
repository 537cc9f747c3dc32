"""Views of My Ponies: list, add, view and edit, delete, release all."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from .forms import ItemForm
from .models import Item

PONIES_PER_PAGE = 25
# The list shows the start of each pony's notes; the whole text is on the pony's page.
NOTES_EXCERPT_CHARS = 120


def list_page_number(value) -> int:
    """The list page a request came back from: a whole number from 1 up, else 1."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


def with_list_page(url: str, page_number: int) -> str:
    """`url` carrying the list page to come back to, when that is not the first."""
    return f"{url}?{urlencode({'page': page_number})}" if page_number > 1 else url


def list_url(page_number: int) -> str:
    return with_list_page(reverse("example_app:item_list"), page_number)


@require_http_methods(["GET", "HEAD"])
def item_list(request):
    """One page of the stable, so the page costs the same at 10 ponies and at 50,000."""
    # One query counts every status; the page itself reads only what a row shows.
    counts = dict.fromkeys(Item.Status.values, 0)
    counts.update(Item.objects.order_by().values_list("status").annotate(Count("pk")))
    rows = Item.objects.defer("notes").annotate(
        notes_start=Substr("notes", 1, NOTES_EXCERPT_CHARS + 1)
    )
    page = Paginator(rows, PONIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "example_app/item_list.html",
        {
            "page": page,
            "excerpt_chars": NOTES_EXCERPT_CHARS,
            "status_counts": [(status, counts[status]) for status in Item.Status],
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def item_create(request):
    if request.method == "POST":
        form = ItemForm(request.POST)
        if form.is_valid():
            pony = form.save()
            messages.success(request, f"Welcome to the stable, {pony.title}!")
            return redirect("example_app:item_list")
    else:
        form = ItemForm()
    return render(request, "example_app/item_create.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def item_detail(request, pk):
    """One page to see a pony and edit it. `?page=N` is the list page it was opened from."""
    pony = get_object_or_404(Item, pk=pk)
    page_number = list_page_number(request.GET.get("page"))
    if request.method == "POST":
        form = ItemForm(request.POST, instance=pony)
        if form.is_valid():
            form.save()
            messages.success(request, f"Saved {pony.title}.")
            return redirect(with_list_page(pony.get_absolute_url(), page_number))
        # Validation copied the rejected input onto the instance; the page
        # header must keep showing what is actually saved.
        pony.refresh_from_db()
    else:
        form = ItemForm(instance=pony)
    return render(
        request,
        "example_app/item_detail.html",
        {
            "pony": pony,
            "form": form,
            "list_page": page_number,
            "list_url": list_url(page_number),
        },
    )


@require_POST
def item_delete(request, pk):
    pony = get_object_or_404(Item, pk=pk)
    pony.delete()
    messages.success(request, f"{pony.title} has flown off to greener pastures.")
    # Back to the list page the pony was opened from (the last page, if that one is now gone).
    return redirect(list_url(list_page_number(request.POST.get("page"))))


@require_POST
def release_all(request):
    """Empty the stable. It stays empty: starter ponies come only with a new database."""
    released, _ = Item.objects.all().delete()
    messages.success(request, f"Released {released} {'pony' if released == 1 else 'ponies'}.")
    return redirect("example_app:item_list")
