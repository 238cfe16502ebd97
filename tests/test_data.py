import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest

from helpers import data as data_mod
from helpers.data import CLASS_NAMES, DataNotFoundError, load_cifar10

from synthetic import make_image_folder_tar

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "cifar10-jpeg.tar.gz"


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No test sees a real data set or cache unless it asks for one."""
    monkeypatch.delenv("INPAINTING_DATA", raising=False)
    monkeypatch.setenv("INPAINTING_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(data_mod, "_candidates", lambda: [])


def _official_batch(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
    labels = [int(v) for v in rng.integers(0, 10, n)]
    raw = {b"data": x.transpose(0, 3, 1, 2).reshape(n, -1), b"labels": labels}
    return x, np.array(labels), pickle.dumps(raw)


def make_official(root: Path, n=4):
    """A miniature cifar-10-batches-py folder; returns the expected arrays."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    xs, ys = [], []
    for i in range(1, 6):
        x, y, raw = _official_batch(n, i)
        (folder / f"data_batch_{i}").write_bytes(raw)
        xs.append(x), ys.append(y)
    x_test, y_test, raw = _official_batch(n, 99)
    (folder / "test_batch").write_bytes(raw)
    return folder, np.concatenate(xs), np.concatenate(ys), x_test, y_test


def test_official_folder_and_tarball(tmp_path):
    folder, x_train, y_train, x_test, y_test = make_official(tmp_path)
    d = load_cifar10(folder, progress=False)
    np.testing.assert_array_equal(d.x_train, x_train)
    np.testing.assert_array_equal(d.y_train, y_train)
    np.testing.assert_array_equal(d.x_test, x_test)
    assert d.source == "CIFAR-10 (official)" and d.x_train.dtype == np.uint8
    tarball = tmp_path / "cifar-10-python.tar.gz"
    with tarfile.open(tarball, "w:gz") as tar:
        tar.add(folder, arcname="cifar-10-batches-py")
    d2 = load_cifar10(tarball, progress=False)
    np.testing.assert_array_equal(d2.x_test, x_test)
    assert d2.source == "CIFAR-10 (official)"


def test_image_folder_tarball_and_folder(tmp_path):
    tarball = tmp_path / "mini.tar.gz"
    expected = make_image_folder_tar(tarball)
    d = load_cifar10(tarball, progress=False)
    assert d.source == "CIFAR-10 (JPEG export)"
    assert d.x_train.shape == (20, 32, 32, 3) and d.x_test.shape == (20, 32, 32, 3)
    assert d.class_names == CLASS_NAMES
    np.testing.assert_array_equal(d.y_train, np.repeat(np.arange(10), 2))
    np.testing.assert_array_equal(d.x_train[2 * 3 + 1], expected[("train", 3, 1)])  # cat/0001
    with tarfile.open(tarball) as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    d2 = load_cifar10(tmp_path / "unpacked", progress=False)
    np.testing.assert_array_equal(d2.x_test, d.x_test)


def test_environment_variable_and_cache(tmp_path, monkeypatch):
    tarball = tmp_path / "mini.tar.gz"
    make_image_folder_tar(tarball)
    monkeypatch.setenv("INPAINTING_DATA", str(tarball))
    first = load_cifar10(progress=False)
    assert list((tmp_path / "cache").glob("cifar10-*.npz")), "the decoded arrays are cached"

    def no_decoding(*args, **kwargs):
        raise AssertionError("the second load must come from the cache")

    monkeypatch.setattr(data_mod, "_decode", no_decoding)
    second = load_cifar10(progress=False)
    np.testing.assert_array_equal(first.x_train, second.x_train)
    assert second.source == first.source


def test_subsets_are_seeded_and_span_classes(tmp_path):
    tarball = tmp_path / "mini.tar.gz"
    make_image_folder_tar(tarball, per_class=4)
    a = load_cifar10(tarball, train_size=12, test_size=5, seed=1, progress=False)
    b = load_cifar10(tarball, train_size=12, test_size=5, seed=1, progress=False)
    assert len(a.x_train) == 12 and len(a.x_test) == 5
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert len(set(a.y_train.tolist())) > 3
    with pytest.raises(ValueError, match="train_size"):
        load_cifar10(tarball, train_size=0, progress=False)


def test_validation_split_never_overlaps():
    x = np.arange(100)[:, None]
    x_tr, y_tr, x_val, y_val = data_mod.split_validation(x, np.arange(100), 10)
    assert len(x_val) == 10 and len(x_tr) == 90
    assert not set(x_val[:, 0]) & set(x_tr[:, 0])


def test_no_data_offline_names_every_way(monkeypatch):
    def offline():
        raise OSError("no internet")

    monkeypatch.setattr(data_mod, "_load_keras", offline)
    with pytest.raises(DataNotFoundError) as err:
        load_cifar10(progress=False)
    text = str(err.value)
    for way in ("INPAINTING_DATA", "cifar-10-python.tar.gz", "train|test/<class>", "keras.datasets"):
        assert way in text


def test_missing_and_corrupt_files(tmp_path, monkeypatch):
    with pytest.raises(DataNotFoundError, match="does not exist"):
        load_cifar10(tmp_path / "nope.tar.gz", progress=False)
    monkeypatch.setenv("INPAINTING_DATA", str(tmp_path / "gone"))
    with pytest.raises(DataNotFoundError, match="INPAINTING_DATA"):
        load_cifar10(progress=False)
    bad = tmp_path / "broken.tar.gz"
    good = tmp_path / "mini.tar.gz"
    make_image_folder_tar(good)
    bad.write_bytes(good.read_bytes()[:2000])  # truncated download
    with pytest.raises(ValueError, match="damaged|not a .tar.gz|Could not read"):
        load_cifar10(bad, progress=False)
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"hello")
    with pytest.raises(ValueError, match="neither a folder nor"):
        load_cifar10(junk, progress=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="does not look like CIFAR-10"):
        load_cifar10(empty, progress=False)


@pytest.mark.slow
@pytest.mark.skipif(not SHARED.exists(), reason=f"the shared JPEG export is not at {SHARED}")
def test_shared_jpeg_export(monkeypatch):
    monkeypatch.delenv("INPAINTING_CACHE")  # share the user's cache: decoding takes ~15 s once
    d = load_cifar10(SHARED, progress=False)
    assert d.source == "CIFAR-10 (JPEG export)"
    assert d.x_train.shape == (50_000, 32, 32, 3) and d.x_test.shape == (10_000, 32, 32, 3)
    assert np.bincount(d.y_train).tolist() == [5000] * 10
    assert np.bincount(d.y_test).tolist() == [1000] * 10
    assert 0.45 < d.x_train.mean() / 255 < 0.50  # CIFAR-10's mean intensity is about 0.473


def test_showcase_indices_are_fixed_sorted_and_in_range():
    a = data_mod.showcase_indices(64)
    assert np.array_equal(a, data_mod.showcase_indices(64)) and len(a) == 3
    assert np.all(np.diff(a) > 0) and a.max() < 64
    assert len(data_mod.showcase_indices(2)) == 2
    with pytest.raises(ValueError):
        data_mod.showcase_indices(0)
