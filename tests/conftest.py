import pytest

from synthetic import smooth_images


@pytest.fixture
def images():
    return smooth_images(64)
