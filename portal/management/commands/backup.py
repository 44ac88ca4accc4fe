"""`manage.py backup DIR`: the database and every upload, in a folder `manage.py restore DIR` reads.

The database is dumped by PostgreSQL's own pg_dump (custom format), or copied with SQLite's backup API;
uploads are read through Django's storage, so a bucket (AWS_STORAGE_BUCKET_NAME) is backed up as local
media is. See docs/OPERATIONS.md.
"""

import json
import sqlite3
from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from portal.core.backup import database_url, media_files, run_pg_tool


class Command(BaseCommand):
    help = "Back up the database and the uploads into a folder (see docs/OPERATIONS.md)."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder: Path, **options):
        folder.mkdir(parents=True, exist_ok=True)
        if any(folder.iterdir()):
            raise CommandError(f"{folder} is not empty: a backup goes into a folder of its own.")
        vendor = connection.vendor
        if vendor == "postgresql":
            failure = run_pg_tool(
                "pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                "--file", str(folder / "database.dump"), database_url(connection.settings_dict),
            )  # fmt: skip
            if failure:
                raise CommandError(f"pg_dump failed: {failure}")
        elif vendor == "sqlite":
            with sqlite3.connect(folder / "database.sqlite3") as target:
                connection.ensure_connection()
                connection.connection.backup(target)
        else:
            raise CommandError(f"No backup for the {vendor} database.")
        media = folder / "media"
        count = 0
        for name in media_files(default_storage):
            path = media / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with default_storage.open(name, "rb") as source:
                path.write_bytes(source.read())
            count += 1
        manifest = {"database": vendor, "media_files": count, "made": timezone.now().isoformat()}
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
        self.stdout.write(f"Backed up the {vendor} database and {count} uploads into {folder}.")
