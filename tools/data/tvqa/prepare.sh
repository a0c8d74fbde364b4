#!/usr/bin/env bash
# TVQA (frames_hq at 3 fps).
# Lays out the downloaded files where the configs expect them
# (data/tvqa/, see docs/data_preparation.md) and checks them.
#
# 1. Download and unpack (any folder structure) into DOWNLOAD_DIR from:
#   https://tvqa.cs.unc.edu/download_tvqa.html (frames_hq, registration
#   required)
# 2. bash tools/data/tvqa/prepare.sh DOWNLOAD_DIR [--copy] [--decode 50]
#    Links every file the configs name into data/tvqa/ (--copy copies),
#    then builds each split with its loader, reports missing or broken
#    videos, and exits 1 if a required split is incomplete.
#    Run `bash tools/data/tvqa/prepare.sh --check` to only check data/tvqa/.
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$ROOT_DIR"
if [ "${1:-}" = "--check" ]; then
    shift
    exec python tools/data/prepare_dataset.py tvqa "$@"
fi
if [ $# -lt 1 ]; then
    echo "usage: $0 DOWNLOAD_DIR [--copy] [--decode N] | --check" >&2
    exit 2
fi
SRC="$1"
shift
exec python tools/data/prepare_dataset.py tvqa --src "$SRC" "$@"
