#!/usr/bin/env bash
# MSR-VTT (retrieval 9k/7k + 1k-A test, MSRVTT-QA, MSR-VTT MC).
# Lays out the downloaded files where the configs expect them
# (data/msrvtt/, see docs/data_preparation.md) and checks them.
#
# 1. Download and unpack (any folder structure) into DOWNLOAD_DIR from:
#   https://www.robots.ox.ac.uk/~maxbain/frozen-in-time/data/MSRVTT.zip
#   (videos/all/*.mp4 and annotation/*, the files the authors used); QA:
#   https://github.com/xudejing/video-question-answering; MC:
#   https://github.com/yj-yu/lsmdc
# 2. bash tools/data/msrvtt/prepare.sh DOWNLOAD_DIR [--copy] [--decode 50]
#    Links every file the configs name into data/msrvtt/ (--copy copies),
#    then builds each split with its loader, reports missing or broken
#    videos, and exits 1 if a required split is incomplete.
#    Run `bash tools/data/msrvtt/prepare.sh --check` to only check data/msrvtt/.
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$ROOT_DIR"
if [ "${1:-}" = "--check" ]; then
    shift
    exec python tools/data/prepare_dataset.py msrvtt "$@"
fi
if [ $# -lt 1 ]; then
    echo "usage: $0 DOWNLOAD_DIR [--copy] [--decode N] | --check" >&2
    exit 2
fi
SRC="$1"
shift
exec python tools/data/prepare_dataset.py msrvtt --src "$SRC" "$@"
