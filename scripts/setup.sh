#!/usr/bin/env bash
# Installs everything pufa needs on a fresh machine: a CJK font for charts, a Python 3.11 venv,
# the CPU build of torch (for the optional sentence-transformers backend) and the project itself.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! dpkg -s fonts-wqy-microhei >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null
  else
    echo "setup: fonts-wqy-microhei missing (charts need it): sudo apt-get install fonts-wqy-microhei" >&2
  fi
fi

# LibreOffice (headless) turns briefings into PDF; the tests use it to check the handout fits one page.
if ! command -v soffice >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libreoffice-writer-nogui poppler-utils >/dev/null
  else
    echo "setup: soffice missing (PDF of briefings): sudo apt-get install libreoffice-writer-nogui" >&2
  fi
fi

# Chromium (Debian's package, driven by Playwright through executable_path; never a browser download) and
# fonts for Chinese and emoji: the web tests run the real server in a real headless browser.
if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s fonts-noto-cjk fonts-noto-color-emoji >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      chromium fonts-noto-cjk fonts-noto-color-emoji >/dev/null
  else
    echo "setup: chromium missing (web tests): sudo apt-get install chromium fonts-noto-cjk fonts-noto-color-emoji" >&2
  fi
fi

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# The CPU wheel of torch 2.13.0 lies on this kind of machine; an unpinned torch would pull a CUDA build.
.venv/bin/python -m pip install -q "torch==2.13.0"
.venv/bin/python -m pip install -q -e ".[st,dev]"
