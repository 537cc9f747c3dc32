"""A task that is not a routine, as a project's own `django.tasks` tasks are."""

from django.tasks import task


@task
def count_letters(word: str) -> int:
    print(f"count_letters: {word}", flush=True)
    return len(word)
