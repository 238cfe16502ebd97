"""Where a notebook runs (helpers.environment): a GPU or not, and Keras started quietly."""

from helpers import environment


def test_gpu_status_is_one_sentence(monkeypatch):
    monkeypatch.setattr(environment, "gpus", lambda: ())
    assert environment.gpu_status().startswith("No GPU found") and not environment.gpu_available()
    monkeypatch.setattr(environment, "gpus", lambda: ("NVIDIA Test GPU",))
    assert "NVIDIA Test GPU" in environment.gpu_status() and environment.gpu_available()
    assert not environment.in_colab()


def test_quiet_logs_keeps_errors(capfd):
    environment.quiet_logs()
    import keras  # noqa: F401

    assert "absl::InitializeLog" not in capfd.readouterr().err
