#!/usr/bin/env bash
# System packages the portal needs, installed when missing (Debian/Ubuntu):
#  - python3.11 with venv, when no python3.11 is on PATH;
#  - a CJK font (Noto CJK) so notices render Chinese as real text;
#  - libharfbuzz-subset0, which makes WeasyPrint subset fonts 12-40x faster on Chinese text;
#  - WeasyPrint's Pango;
#  - npm, which installs the pinned front-end libraries (Makefile `vendor`).
set -euo pipefail

need=()
command -v python3.11 >/dev/null 2>&1 || need+=(python3.11 python3.11-venv)
fc-list :lang=zh 2>/dev/null | grep -qi "Noto Serif CJK\|Noto Sans CJK" || need+=(fonts-noto-cjk fontconfig)
ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset.so.0 || need+=(libharfbuzz-subset0)
ldconfig -p 2>/dev/null | grep -q libpango-1.0.so.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v npm >/dev/null 2>&1 || need+=(npm)  # front-end libraries (chart.js) from package-lock.json
if [ "${WITH_BROWSER:-0}" = "1" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
fi

[ ${#need[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${need[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
