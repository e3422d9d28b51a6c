#!/usr/bin/env bash
# Installs everything pufa needs on a fresh machine: a CJK font for charts, a Python 3.11 venv,
# the CPU build of torch (for the optional sentence-transformers backend) and the project itself.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages, only those missing, in one apt-get call: a CJK font for charts; LibreOffice (headless) and
# poppler to turn briefings into PDF (the tests check the handout fits one page); Chromium (Debian's package,
# driven by Playwright through executable_path; never a browser download) and fonts for Chinese and emoji,
# for the web tests in a real headless browser.
missing=()
for package in fonts-wqy-microhei fonts-noto-cjk fonts-noto-color-emoji; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  else
    echo "setup: missing (charts, PDF of briefings, web tests): sudo apt-get install ${missing[*]}" >&2
  fi
fi

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# uv (from PyPI) installs the ~150 packages in parallel: about 1 min on a fresh machine, where pip took 3-5.
.venv/bin/python -m pip install -q uv
# The CPU wheel of torch 2.13.0 lies in pip's find-links on this kind of machine (an unpinned torch, or one
# from PyPI, is a CUDA build of several GB); uv does not read pip's configuration, so it is handed over.
find_links=()
local_torch=false
for folder in $(.venv/bin/python -m pip config get global.find-links 2>/dev/null) ${PIP_FIND_LINKS:-}; do
  if [ -d "$folder" ]; then
    find_links+=(--find-links "$folder")
    if compgen -G "$folder/torch-2.13.0+cpu-*.whl" >/dev/null; then local_torch=true; fi
  fi
done
if ! $local_torch; then
  .venv/bin/python -m pip install -q "torch==2.13.0"  # pip looks wherever it is configured to
fi
# --compile-bytecode, as pip does: where PYTHONDONTWRITEBYTECODE is set (this kind of machine), a venv without
# .pyc files recompiles every module it imports in every process (each `pufa` the tests start).
.venv/bin/uv pip install -q --compile-bytecode --python .venv/bin/python "${find_links[@]}" "torch==2.13.0" \
  -e ".[st,dev]"
