#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder's image (Ubuntu, 22.04 by
# default), from /autograder/source: the unpacked zip. It installs Python 3.11 where the image has
# none, then dlcheck with CPU-only torch into a virtual environment of its own, which
# run_autograder uses. Written by `dlcheck gradescope build` (docs/platforms.md).
set -euxo pipefail

SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV=/opt/dlcheck-venv
TORCH_INDEX=https://download.pytorch.org/whl/cpu

if ! command -v python3.11 >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    if ! apt-get install -y --no-install-recommends python3.11 python3.11-venv; then
        # An Ubuntu release whose archive has no 3.11: the deadsnakes PPA builds it.
        apt-get install -y --no-install-recommends software-properties-common gpg-agent
        add-apt-repository -y ppa:deadsnakes/ppa
        apt-get update
        apt-get install -y --no-install-recommends python3.11 python3.11-venv
    fi
fi

python3.11 -m venv "$VENV"
"$VENV/bin/python" -m pip install --upgrade pip
# torch from the CPU index alone: PyPI's build of the same version pulls gigabytes of CUDA libraries.
"$VENV/bin/python" -m pip install --index-url "$TORCH_INDEX" "@@TORCH_REQUIREMENT@@"
# A regular (not editable) install: dlcheck's package then sits in site-packages, where the
# sandbox covers it, and the course stays in /autograder/source, out of every worker's sight.
"$VENV/bin/python" -m pip install "$SOURCE/dlcheck-src"

# Fail the image build, not the first submission, if the course does not load here.
"$VENV/bin/python" -P -m dlcheck list --course "$SOURCE/course" >/dev/null
