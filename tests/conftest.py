import pytest

from synthetic import smooth_images


@pytest.fixture
def images():
    return smooth_images(64)


@pytest.fixture
def weights(tmp_path, monkeypatch):
    """A private, empty weights folder ($INPAINTING_WEIGHTS) for the test to publish into."""
    from helpers.engine.weightfiles import WEIGHTS_ENV

    folder = tmp_path / "weights"
    monkeypatch.setenv(WEIGHTS_ENV, str(folder))
    return folder
