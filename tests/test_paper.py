"""The paper's tables (helpers.paper) beside the Keras models (helpers.architecture): layer by
layer, parameters and multiply-adds."""

import pytest

from helpers import architecture, paper
from helpers.models import PARAMETER_COUNTS, build, build_autoencoder


@pytest.mark.parametrize("kind, notes", [("autoencoder", 0), ("generator", 1), ("discriminator", 1)])
def test_layer_tables_match_the_paper(kind, notes):
    model = build(kind)
    table = architecture.layer_table(model)
    assert table.mismatches == []
    assert len(table.notes) == notes     # each one of the paper's own contradictions (TABLE_NOTES)
    assert all(any(reason in n for reason in paper.TABLE_NOTES.values()) for n in table.notes)
    assert table.total_params == PARAMETER_COUNTS[kind]
    text = table.markdown()
    assert text.count("\n| ") == len(paper.TABLES[kind]) and "Total parameters" in text


def test_layer_table_reports_a_real_mismatch():
    table = architecture.layer_table(build_autoencoder(), "discriminator")
    assert table.mismatches
    with pytest.raises(ValueError, match="No paper table"):
        architecture.layer_table(build_autoencoder(), "vae")


@pytest.mark.parametrize("kind", ["autoencoder", "generator"])
def test_multiply_adds_match_the_paper(kind):
    assert abs(architecture.multiply_adds(build(kind)) / paper.MULTIPLY_ADDS[kind] - 1) < 0.05
