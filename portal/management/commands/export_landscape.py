"""`manage.py export_landscape DIR`: write the landscape bundle (landscape.yml, settings.yml, README.md and
hosted_logos/) into DIR, as /api/v1/exports/landscape.zip serves it, for landscape2 to build."""

from pathlib import Path
from urllib.parse import urljoin

from django.conf import settings
from django.core.management.base import BaseCommand

from portal.api.landscape import landscape_files


class Command(BaseCommand):
    help = "Write the landscape bundle (landscape.yml, settings.yml, README.md, hosted_logos/) into DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        files = landscape_files(lambda path: urljoin(settings.SITE_URL + "/", path))
        for name, content in files.items():
            target = directory / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        self.stdout.write(f"Wrote {len(files)} files to {directory}.")
