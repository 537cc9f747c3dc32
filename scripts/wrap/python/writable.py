"""What a desktop app must not write next to its code, moved into the app-data folder.

Written by desktop-django-starter's `npm run wrap`; yours to edit.

An installed app's code folder is read-only (and replaced by every update), so
the desktop settings move what the project's settings would write there:
file storages, log files, file-based caches, and settings named *_ROOT, *_DIR,
*_PATH, *_FILE or *_FOLDER that point inside the project but at nothing the
app ships (a folder that exists in the project is data it reads, and stays).
The task queues' files go to the app-data folder too.

A path setting inside a static folder (STATIC_ROOT, a STATICFILES_DIRS entry,
an app's static/ folder) or inside the frontend build's folder
(DESKTOP_FRONTEND_BUILD_DIR, from desktop/src/project.ts's frontendBuild) is
build output the app only reads, such as a Vite or webpack manifest: it stays
where it is even before the build has written it.
"""

from pathlib import Path

# Settings that name what the app reads, or that the desktop settings set themselves.
_KEPT = {
    "BASE_DIR",
    "STATIC_ROOT",
    "STATICFILES_DIRS",
    "TEMPLATES",
    "LOCALE_PATHS",
    "FIXTURE_DIRS",
    "MEDIA_ROOT",
    "DATA_DIR",
    "APP_DATA_DIR",
    "BUNDLE_DIR",
    "LOG_DIR",
    "DESKTOP_DJANGO_APP_DATA_DIR",
    "DESKTOP_FRONTEND_BUILD_DIR",
}
_WRITTEN_SUFFIXES = ("_ROOT", "_DIR", "_PATH", "_FILE", "_FOLDER")


def _absolute(value):
    """value as a resolved absolute Path, or None when it is no absolute path."""
    if not isinstance(value, (str, Path)) or not str(value):
        return None
    candidate = Path(value)
    return candidate.resolve() if candidate.is_absolute() else None


def _inside(value, roots):
    """The path of value relative to the first root holding it, or None."""
    candidate = _absolute(value)
    if candidate is None:
        return None
    for root in roots:
        try:
            relative = candidate.relative_to(root)
        except ValueError:
            continue
        return relative if relative.parts else None
    return None


def read_only_dirs(settings, project_dir):
    """The folders whose files the app only reads: build output, never moved.

    STATIC_ROOT, each STATICFILES_DIRS entry (a path or a (prefix, path) pair),
    the static/ folder of each app in project_dir, and DESKTOP_FRONTEND_BUILD_DIR.
    """
    folders = [settings.get("STATIC_ROOT"), settings.get("DESKTOP_FRONTEND_BUILD_DIR")]
    for entry in settings.get("STATICFILES_DIRS") or ():
        folders.append(entry[-1] if isinstance(entry, (tuple, list)) and entry else entry)
    for app in settings.get("INSTALLED_APPS") or ():
        # "shop", "shop.apps.ShopConfig": the app's folder, when it is part of the project.
        parts = str(app).split(".")
        while parts:
            folder = Path(project_dir, *parts)
            if folder.is_dir():
                folders.append(folder / "static")
                break
            parts.pop()
    return [folder for folder in map(_absolute, folders) if folder is not None]


def _moved(value, roots, data_dir, read_only=()):
    """value's place in data_dir when it points inside the project at what the app does not ship."""
    relative = _inside(value, roots)
    if relative is None or Path(value).exists() or _inside(value, read_only) is not None:
        return None
    if _absolute(value) in read_only:
        return None
    moved = data_dir / relative
    return str(moved) if isinstance(value, str) else moved


def writable_settings(settings, project_dir, data_dir):
    """The settings to override so that nothing is written inside project_dir.

    settings is the settings module's namespace (globals()); project_dir the
    folder holding manage.py (and BASE_DIR, when the settings define one).
    """
    data_dir = Path(data_dir)
    roots = {Path(project_dir).resolve()}
    if isinstance(settings.get("BASE_DIR"), (str, Path)):
        roots.add(Path(settings["BASE_DIR"]).resolve())
    read_only = read_only_dirs(settings, project_dir)
    changes = {}
    for name, value in settings.items():
        if name.isupper() and name.endswith(_WRITTEN_SUFFIXES) and name not in _KEPT:
            moved = _moved(value, roots, data_dir, read_only)
            if moved is not None:
                changes[name] = moved

    storages = settings.get("STORAGES")
    if isinstance(storages, dict):
        new_storages = {}
        for alias, storage in storages.items():
            options = dict(storage.get("OPTIONS", {})) if isinstance(storage, dict) else {}
            backend = storage.get("BACKEND", "") if isinstance(storage, dict) else ""
            moved = (
                _moved(options.get("location"), roots, data_dir)
                if backend.endswith("FileSystemStorage")
                else None
            )
            if moved is not None:
                storage = {**storage, "OPTIONS": {**options, "location": moved}}
            new_storages[alias] = storage
        if new_storages != storages:
            changes["STORAGES"] = new_storages

    caches = settings.get("CACHES")
    if isinstance(caches, dict):
        new_caches = {}
        for alias, cache in caches.items():
            if isinstance(cache, dict) and cache.get("BACKEND", "").endswith("FileBasedCache"):
                moved = _moved(cache.get("LOCATION"), roots, data_dir)
                if moved is not None:
                    cache = {**cache, "LOCATION": moved}
            new_caches[alias] = cache
        if new_caches != caches:
            changes["CACHES"] = new_caches

    logging = settings.get("LOGGING")
    if isinstance(logging, dict) and isinstance(logging.get("handlers"), dict):
        handlers = {}
        for name, handler in logging["handlers"].items():
            moved = (
                _moved(handler.get("filename"), roots, data_dir)
                if isinstance(handler, dict)
                else None
            )
            if moved is not None:
                Path(moved).parent.mkdir(parents=True, exist_ok=True)
                handler = {**handler, "filename": moved}
            handlers[name] = handler
        if handlers != logging["handlers"]:
            changes["LOGGING"] = {**logging, "handlers": handlers}
    return changes


def queue_settings(settings, data_dir):
    """huey and django-q2 settings for a desktop app: no broker server, files in data_dir.

    huey (huey.contrib.djhuey) gets its SQLite storage in the app-data folder,
    whatever storage it used before, and never runs tasks in the request
    (huey's default with DEBUG on): the supervised worker runs them. django-q2
    gets its ORM broker, so tasks live in the app's own SQLite database.
    """
    data_dir = Path(data_dir)
    changes = {}
    huey = settings.get("HUEY")
    if isinstance(huey, dict) or "huey.contrib.djhuey" in settings.get("INSTALLED_APPS", ()):
        config = dict(huey) if isinstance(huey, dict) else {"name": getattr(huey, "name", "huey")}
        for server_only in (
            "connection",
            "url",
            "backend_class",
            "host",
            "port",
            "password",
            "db",
        ):
            config.pop(server_only, None)
        config.update(
            huey_class="huey.SqliteHuey",
            filename=str(data_dir / "huey.sqlite3"),
            immediate=False,
        )
        changes["HUEY"] = config
    cluster = settings.get("Q_CLUSTER")
    if isinstance(cluster, dict) or "django_q" in settings.get("INSTALLED_APPS", ()):
        config = dict(cluster or {})
        for server_only in (
            "redis",
            "sqs",
            "mongo",
            "ironmq",
            "disque_nodes",
            "broker_class",
        ):
            config.pop(server_only, None)
        config.update(orm="default", sync=False)
        changes["Q_CLUSTER"] = config
    return changes
