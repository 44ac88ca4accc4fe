"""Pages the page-cache tests share."""

import pytest

from tests.portal.factories import project, project_index


@pytest.fixture
def kata(site_with_home):
    index = project_index(site_with_home)
    page = project(index, 1, title="Kata Containers", slug="kata-containers", tagline="Lightweight VMs.")
    page.save_revision().publish()
    return page
