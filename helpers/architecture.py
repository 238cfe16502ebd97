"""The paper's tables beside the Keras models: layer by layer, parameters and multiply-adds.

``layer_table(build_generator())`` prints, in a notebook, the paper's Table II next to the
model that :mod:`helpers.models` builds, row by row, and marks every difference: the two
the paper's own typos force (:data:`helpers.paper.TABLE_NOTES`) and any other.
"""

from __future__ import annotations

from .paper import TABLE_NOTES, TABLES

_KERAS_NAMES = {"Conv2D": "Conv", "Conv2DTranspose": "Deconv", "BatchNormalization": "BatchNorm",
                "Flatten": "Flatten", "Dropout": "Dropout", "Dense": "Dense", "Reshape": "Reshape"}
_ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": ""}


def _shape_text(shape) -> str:
    return "x".join(str(int(d)) for d in tuple(shape)[1:])


def keras_rows(model) -> list[dict]:
    """The model's layers as the paper's tables list them: a LeakyReLU layer is folded
    into the convolution before it (the tables print it as that layer's activation)."""
    rows = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "LeakyReLU":
            if rows:
                rows[-1]["activation"] = "LeakyReLU"
                rows[-1]["keras"] += f" + LeakyReLU({layer.negative_slope:g})"
            continue
        row = {"layer": _KERAS_NAMES.get(kind, kind), "keras": kind, "kernel": "", "stride": "",
               "activation": "", "output": _shape_text(layer.output.shape),
               "params": int(layer.count_params())}
        if hasattr(layer, "kernel_size") and kind.startswith("Conv"):
            row["kernel"] = "x".join(map(str, layer.kernel_size))
            row["stride"] = str(layer.strides[0])
        activation = getattr(layer, "activation", None)
        if activation is not None and kind in ("Conv2D", "Conv2DTranspose", "Dense"):
            row["activation"] = _ACTIVATIONS.get(activation.__name__, activation.__name__)
            if row["activation"]:
                row["keras"] += f" ({activation.__name__})"
        if kind == "Dropout":
            row["keras"] += f"({layer.rate:g})"
        rows.append(row)
    return rows


class LayerTable:
    """The paper's table next to the Keras model, row by row (Markdown in a notebook).

    ``mismatches`` lists rows where the model differs from the table for a reason not
    explained by the paper's own contradictions (:data:`helpers.paper.TABLE_NOTES`); ``notes``
    lists those.
    """

    def __init__(self, model, kind: str):
        if kind not in TABLES:
            raise ValueError(f"No paper table for {kind!r}: use one of {sorted(TABLES)}.")
        self.kind = kind
        self.paper = TABLES[kind]
        self.rows = keras_rows(model)
        self.total_params = int(model.count_params())
        self.mismatches: list[str] = []
        self.notes: list[str] = []
        if len(self.rows) != len(self.paper):
            self.mismatches.append(f"the paper lists {len(self.paper)} layers after the input, "
                                   f"the model has {len(self.rows)}")
        self.marks = []
        for i, (paper, ours) in enumerate(zip(self.paper, self.rows)):
            mark = []
            for field_name, paper_value in zip(("layer", "kernel", "stride", "activation", "output"), paper):
                if paper_value and str(paper_value) != str(ours[field_name]):
                    note = TABLE_NOTES.get((kind, i, field_name))
                    text = (f"row {i + 1} ({paper[0]}): the paper prints {field_name} {paper_value}, "
                            f"the model has {ours[field_name]}")
                    if note:
                        self.notes.append(f"{text}; {note}.")
                        mark.append("note")
                    else:
                        self.mismatches.append(text)
                        mark.append("MISMATCH")
            self.marks.append("✓" if not mark else ("⚠ " + ", ".join(sorted(set(mark)))))

    def markdown(self) -> str:
        head = ("| # | paper: layer | kernel | stride | activation | output | Keras layer | "
                "kernel | stride | output | parameters | |\n"
                "|---|---|---|---|---|---|---|---|---|---|---:|---|\n")
        lines = []
        for i, (paper, ours, mark) in enumerate(zip(self.paper, self.rows, self.marks)):
            lines.append(f"| {i + 1} | {paper[0]} | {paper[1]} | {paper[2]} | {paper[3]} | {paper[4]} | "
                         f"{ours['keras']} | {ours['kernel']} | {ours['stride']} | {ours['output']} | "
                         f"{ours['params']:,} | {mark} |")
        foot = f"\n\n**Total parameters: {self.total_params:,}.**"
        if self.notes:
            foot += "\n\n" + "\n".join(f"- ⚠ {n}" for n in self.notes)
        if self.mismatches:
            foot += "\n\n" + "\n".join(f"- ✗ {m}" for m in self.mismatches)
        return head + "\n".join(lines) + foot

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __str__(self) -> str:
        return self.markdown()


def layer_table(model, kind: str | None = None) -> LayerTable:
    """:class:`LayerTable` of ``model`` against the paper's table for ``kind``
    (default: the model's name)."""
    return LayerTable(model, kind or model.name)


def multiply_adds(model) -> int:
    """Multiply-adds per image of the convolution, transposed convolution and dense layers.

    A transposed convolution is counted like a convolution over its output
    (output pixels x kernel area x input channels x output channels), the convention that
    gives the paper's "about 12 M" (autoencoder) and "about 150 M" (generator).
    """
    total = 0
    for layer in model.layers:
        kind = type(layer).__name__
        if kind in ("Conv2D", "Conv2DTranspose"):
            _, h, w, c_out = layer.output.shape
            c_in = layer.input.shape[-1]
            kh, kw = layer.kernel_size
            total += int(h) * int(w) * kh * kw * int(c_in) * int(c_out)
        elif kind == "Dense":
            total += int(layer.input.shape[-1]) * int(layer.units)
    return total
