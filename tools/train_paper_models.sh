#!/usr/bin/env bash
# Train the paper's two models (and, beyond the paper, the regularized autoencoder, the GAN
# with averaged weights and the partial-convolution U-Net) with the project's own command
# line, publish their weights (weights/: int8 kernels for the autoencoders and the GANs,
# float16 for the U-Net; with model cards) and regenerate the results report (results/).
#
#   bash tools/train_paper_models.sh            # the paper's budgets (a GPU: see docs/training.md)
#   GAN_ITERATIONS=10000 bash tools/train_paper_models.sh
#
# Every step resumes: rerun the script after an interruption and it continues from the
# checkpoints in runs/. To continue the published GAN instead of starting over (e.g. on a
# GPU, up to the paper's 80,000 iterations):
#   python -m helpers.cli.train gan --fused --from-pretrained gan --iterations 80000 \
#       --validation-size 5000 --out runs/paper-gan-continued
#
# Environment: KERAS_BACKEND (tensorflow by default; jax is fastest on a GPU),
# INPAINTING_DATA (where CIFAR-10 is; default: the loader's search, then a download),
# AE_ITERATIONS / GAN_ITERATIONS (default: the paper's 50,000 and 80,000),
# PCONV_ITERATIONS (the partial-convolution U-Net beyond the paper; default 50,000, the
# autoencoder's budget, which the shipped one had, on one CPU core: its model card has the
# command),
# DEVICES (e.g. "all": data-parallel over every GPU).
set -euo pipefail
cd "$(dirname "$0")/.."

AE_ITERATIONS=${AE_ITERATIONS:-50000}
GAN_ITERATIONS=${GAN_ITERATIONS:-80000}
PCONV_ITERATIONS=${PCONV_ITERATIONS:-50000}
VALIDATION=5000
parallel=()
if [[ -n "${DEVICES:-}" ]]; then parallel=(--devices "$DEVICES"); fi

resume() { [[ -f "$1/checkpoint.npz" ]] && echo --resume || true; }

python -m helpers.cli.train autoencoder --iterations "$AE_ITERATIONS" --out runs/paper-autoencoder \
    --validation-size $VALIDATION --validate-every 500 --checkpoint-every 1000 --log-every 500 \
    --no-progress "${parallel[@]}" $(resume runs/paper-autoencoder)
# --average keeps an average of the generator's weights beside the raw ones (training is the
# same): the paper's GAN is published from the raw weights, its averaged variant from the average.
python -m helpers.cli.train gan --fused --average 0.999 --iterations "$GAN_ITERATIONS" --out runs/paper-gan \
    --validation-size $VALIDATION --validate-every 1000 --checkpoint-every 250 --log-every 250 \
    --no-progress "${parallel[@]}" $(resume runs/paper-gan)
python -m helpers.cli.train autoencoder --variant regularized --iterations "$AE_ITERATIONS" \
    --out runs/ae-regularized --validation-size $VALIDATION --validate-every 500 \
    --checkpoint-every 1000 --log-every 500 --no-progress "${parallel[@]}" $(resume runs/ae-regularized)
python -m helpers.cli.train pconv --flip --shift 2 --lr-drop-at 44000 --iterations "$PCONV_ITERATIONS" --out runs/pconv \
    --validation-size $VALIDATION --validate-every 1000 --checkpoint-every 250 --log-every 250 \
    --no-progress "${parallel[@]}" $(resume runs/pconv)

python -m helpers.cli.publish publish runs/paper-autoencoder --name autoencoder --select best --storage int8 \
    --validation-size $VALIDATION --command-line "bash tools/train_paper_models.sh (AE_ITERATIONS=$AE_ITERATIONS)"
python -m helpers.cli.publish publish runs/paper-gan --name gan --raw --select last --storage int8 \
    --validation-size $VALIDATION --command-line "bash tools/train_paper_models.sh (GAN_ITERATIONS=$GAN_ITERATIONS)"
python -m helpers.cli.publish publish runs/paper-gan --name gan-averaged --select last --storage int8 \
    --validation-size $VALIDATION --command-line "bash tools/train_paper_models.sh (GAN_ITERATIONS=$GAN_ITERATIONS)"
python -m helpers.cli.publish publish runs/ae-regularized --name autoencoder-regularized --select best \
    --storage int8 --validation-size $VALIDATION \
    --command-line "bash tools/train_paper_models.sh (AE_ITERATIONS=$AE_ITERATIONS)"
python -m helpers.cli.publish publish runs/pconv --name pconv --select best \
    --validation-size $VALIDATION --command-line "bash tools/train_paper_models.sh (PCONV_ITERATIONS=$PCONV_ITERATIONS)"
python -m helpers.cli.report
