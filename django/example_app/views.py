"""Views of My Ponies: list, add, view and edit, delete, release all."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .forms import ItemForm
from .models import Item


@require_http_methods(["GET", "HEAD"])
def item_list(request):
    ponies = Item.objects.all()
    counts = dict.fromkeys(Item.Status.values, 0)
    for pony in ponies:
        counts[pony.status] += 1
    return render(
        request,
        "example_app/item_list.html",
        {
            "ponies": ponies,
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
    """One page to see a pony and edit it."""
    pony = get_object_or_404(Item, pk=pk)
    if request.method == "POST":
        form = ItemForm(request.POST, instance=pony)
        if form.is_valid():
            form.save()
            messages.success(request, f"Saved {pony.title}.")
            return redirect(pony)
        # Validation copied the rejected input onto the instance; the page
        # header must keep showing what is actually saved.
        pony.refresh_from_db()
    else:
        form = ItemForm(instance=pony)
    return render(request, "example_app/item_detail.html", {"pony": pony, "form": form})


@require_POST
def item_delete(request, pk):
    pony = get_object_or_404(Item, pk=pk)
    pony.delete()
    messages.success(request, f"{pony.title} has flown off to greener pastures.")
    return redirect("example_app:item_list")


@require_POST
def release_all(request):
    """Empty the stable. It stays empty: starter ponies come only with a new database."""
    released, _ = Item.objects.all().delete()
    messages.success(request, f"Released {released} {'pony' if released == 1 else 'ponies'}.")
    return redirect("example_app:item_list")
