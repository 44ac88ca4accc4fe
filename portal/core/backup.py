"""What `manage.py backup` and `restore` share: the database's address for pg_dump and pg_restore,
and every file of a storage (local disk or a bucket alike)."""

import shutil
import subprocess
from collections.abc import Iterator
from urllib.parse import quote

from django.core.files.storage import Storage


def database_url(settings_dict: dict) -> str:
    """A libpq URI for Django's database settings (pg_dump and pg_restore read it)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgresql://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}"


def media_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file's name in the storage, depth first."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # local media that nobody has uploaded to yet
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(folders):
        yield from media_files(storage, f"{folder}/{name}" if folder else name)


def run_pg_tool(tool: str, *args: str) -> str | None:
    """Run pg_dump or pg_restore; returns None when it succeeded, else what it printed on failure."""
    executable = shutil.which(tool)
    if executable is None:
        return f"{tool} is not installed on this host (Debian: postgresql-client)."
    # The arguments are the command's own: a path of ours and the database's address from settings.
    result = subprocess.run([executable, *args], capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode:
        return result.stderr.strip() or f"{tool} exited with {result.returncode}"
    return None
