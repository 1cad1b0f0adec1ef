#!/usr/bin/env bash
# Installs the system packages hostmesh's tests use, when they are missing:
#   chromium   real-browser e2e tests (driven by playwright-core; never a downloaded browser)
#   nftables   packet loss inside network namespaces (loss tests)
#   iproute2   `ip netns` for those namespaces
#   coturn     a local TURN server for relay tests
#   redis-server  the shared store of the multi-node tests (started per test on a free port)
#   nginx      the load balancer in front of three server nodes in the multi-node tests
# Idempotent: installed packages are skipped (dpkg -s), apt-get update runs at most once.
# As root it installs them; otherwise it prints what is missing and how to install it, and
# exits 0 (the tests that need a missing package skip themselves with the reason).
set -euo pipefail

packages=(chromium nftables iproute2 coturn redis-server nginx)

if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "[setup-system] not a Debian/Ubuntu system (no dpkg/apt-get): install ${packages[*]} with your package manager." >&2
  exit 0
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg -s "$pkg" >/dev/null 2>&1; then missing+=("$pkg"); fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "[setup-system] system packages present: ${packages[*]}"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "[setup-system] missing system packages: ${missing[*]}" >&2
  echo "[setup-system] install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  echo "[setup-system] (tests that need them are skipped until then)" >&2
  exit 0
fi

echo "[setup-system] installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q "${missing[@]}"
echo "[setup-system] installed: ${missing[*]}"
