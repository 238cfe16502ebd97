#!/usr/bin/env bash
# Train on one GPU within a fixed wall-clock budget (a Colab lesson, a borrowed machine):
# the paper's GAN towards its 80,000 iterations first (the longest job), then the paper's
# autoencoder at its 50,000, then the partial-convolution U-Net continued from its published
# weights, each stopped cleanly by --time-limit (checkpointed, resumable with --resume), and
# publish what was trained into weights/ (the GAN int8, the U-Net float16; with model cards).
#
#   BUDGET=540 bash tools/train_on_gpu_within.sh runs/gpu-session
#
# Every step writes its log to the folder given (default runs/gpu-session) and the run
# folders stay in runs/gpu-*. Each command also runs under a hard `timeout` (its time limit
# plus a margin for start-up, data and the final test), so a step that hangs cannot eat the
# rest of the budget. On a borrowed machine, run a short probe first (e.g. BUDGET=200
# GAN_SECONDS=40 AE_SECONDS=20) to see the speeds, then the real budget.
#
# Environment: KERAS_BACKEND (default jax, the fastest on a GPU), INPAINTING_DATA (where
# CIFAR-10 is), BUDGET (seconds for everything, default 540), GAN_SECONDS / AE_SECONDS
# (caps on the two paper models' training loops; default 55 % and 20 % of BUDGET; the U-Net
# gets what is left before publishing).
set -uo pipefail
cd "$(dirname "$0")/.."
export KERAS_BACKEND=${KERAS_BACKEND:-jax} PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=3
LOGS=${1:-runs/gpu-session}
mkdir -p "$LOGS"
BUDGET=${BUDGET:-540}
GAN_SECONDS=${GAN_SECONDS:-$(( BUDGET * 55 / 100 ))}
AE_SECONDS=${AE_SECONDS:-$(( BUDGET * 20 / 100 ))}
PUBLISH_RESERVE=${PUBLISH_RESERVE:-80}   # seconds kept for publishing at the end
start=$SECONDS
left() { echo $(( BUDGET - (SECONDS - start) )); }
cap() { local l=$(( $(left) - PUBLISH_RESERVE - $2 )); (( l < $1 )) && echo "$l" || echo "$1"; }
common=(--validation-size 5000 --no-progress --log-every 500 --checkpoint-every 5000)
resume() { [[ -f "$1/checkpoint.npz" ]] && echo --resume || true; }
HW="one $(python3 -c 'import jax; print(jax.devices()[0].device_kind)' 2>/dev/null || echo GPU), JAX $(python3 -c 'import jax; print(jax.__version__)' 2>/dev/null)"
echo "hardware: $HW; budget ${BUDGET}s"

# 1. The GAN, fused step (the same algorithm as the three-call schedule, one compiled call).
s=$(cap "$GAN_SECONDS" 150)
echo "== gan: time limit ${s}s (t=$((SECONDS - start))s)"
timeout -k 10 $((s + 150)) python -m helpers.cli.train gan --fused --average 0.999 --iterations 80000 --out runs/gpu-gan --validate-every 1000 \
    --time-limit "$s" "${common[@]}" $(resume runs/gpu-gan) 2>&1 | tee "$LOGS/gan.log"
gan_rc=${PIPESTATUS[0]}
# Stop early only when nothing was trained (a broken install fails in seconds, not minutes).
[[ $gan_rc == 0 || -f runs/gpu-gan/checkpoint.npz ]] || { echo "GAN training failed (exit $gan_rc)"; exit "$gan_rc"; }

# 2. The autoencoder at the paper's budget (timed for the measurement log; the shipped one trained on CPU).
s=$(cap "$AE_SECONDS" 60)
if (( s > 20 )); then
    echo "== autoencoder: time limit ${s}s (t=$((SECONDS - start))s)"
    timeout -k 10 $((s + 90)) python -m helpers.cli.train autoencoder --iterations 50000 --out runs/gpu-autoencoder \
        --validate-every 2500 --time-limit "$s" "${common[@]}" $(resume runs/gpu-autoencoder) \
        2>&1 | tee "$LOGS/autoencoder.log"
fi

# 3. The U-Net beyond the paper, continued from its published state towards 50,000.
s=$(cap 100000 30)
if (( s > 20 )); then
    echo "== pconv: time limit ${s}s (t=$((SECONDS - start))s)"
    if [[ -f runs/gpu-pconv/checkpoint.npz ]]; then from=(--resume); else from=(--from-pretrained pconv); fi
    timeout -k 10 $((s + 90)) python -m helpers.cli.train pconv --iterations 50000 --out runs/gpu-pconv --validate-every 1000 \
        --time-limit "$s" "${common[@]}" "${from[@]}" 2>&1 | tee "$LOGS/pconv.log"
fi

# 4. Publish (GAN int8, U-Net float16; with cards): the GAN's last state (the paper's schedule; raw and
#    averaged weights, from the one run) and its state with the lowest validation error (of the average),
#    the U-Net's best state.
echo "== publish (t=$((SECONDS - start))s)"
cmd="KERAS_BACKEND=$KERAS_BACKEND BUDGET=$BUDGET bash tools/train_on_gpu_within.sh"
timeout -k 10 120 python -m helpers.cli.publish publish runs/gpu-gan --name gan --raw --select last --storage int8 --hardware "$HW" \
    --validation-size 5000 --command-line "$cmd" 2>&1 | tee "$LOGS/publish.log"
timeout -k 10 120 python -m helpers.cli.publish publish runs/gpu-gan --name gan-averaged --select last --storage int8 --hardware "$HW" \
    --validation-size 5000 --command-line "$cmd" 2>&1 | tee -a "$LOGS/publish.log"
timeout -k 10 120 python -m helpers.cli.publish publish runs/gpu-gan --name gan_best --select best --storage int8 --hardware "$HW" \
    --validation-size 5000 --command-line "$cmd" 2>&1 | tee -a "$LOGS/publish.log"
if [[ -f runs/gpu-pconv/best.npz ]]; then
    timeout -k 10 120 python -m helpers.cli.publish publish runs/gpu-pconv --name pconv_gpu --select best --hardware "$HW" \
        --validation-size 5000 --command-line "$cmd (continued from the published pconv)" \
        2>&1 | tee -a "$LOGS/publish.log"
fi
echo "== done (t=$((SECONDS - start))s)"
