#!/usr/bin/env bash
# Installs the system programs the stack and its tests run for real: influxd (Debian's
# `influxdb` package, InfluxDB 1.x) and socat (pseudo-terminal serial lines); with `test`,
# also Chromium and a Chinese font for the headless page tests, redis-server for the broker
# cluster, poppler-utils for the printed reports' page images, caddy (the deployment's TLS
# proxy), mosquitto 2 (the platform on a standard MQTT 5 broker) and strace (the
# broker's PUBACK-after-fsync test). Does nothing when they are present; needs
# root (or sudo) with apt otherwise.
set -euo pipefail

missing=()
command -v influxd >/dev/null 2>&1 || missing+=(influxdb)
command -v socat >/dev/null 2>&1 || missing+=(socat)
if [ "${1:-}" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  # The broker cluster tests share sessions through Redis.
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  # The incident scenarios run a gateway whose clock is ten minutes ahead (libfaketime).
  command -v faketime >/dev/null 2>&1 || missing+=(faketime)
  # A Chinese font, so the page screenshots Chromium takes show the Chinese, not boxes.
  [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
  # The report tests turn the printed PDF's pages into images.
  command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
  # The compose stack's reverse proxy runs its Caddyfile in test/deploy.
  command -v caddy >/dev/null 2>&1 || missing+=(caddy)
  # The pipeline and fault suites also run against mosquitto 2 (benchmarks compare with it too).
  command -v mosquitto >/dev/null 2>&1 || missing+=(mosquitto)
  # The broker's fault test watches its fsyncs.
  command -v strace >/dev/null 2>&1 || missing+=(strace)
fi
if [ "${1:-}" = "bench" ]; then
  command -v mosquitto >/dev/null 2>&1 || missing+=(mosquitto)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "${SKIP_SYSTEM_DEPS:-}" = "1" ]; then
  echo "system-deps: missing ${missing[*]}, but SKIP_SYSTEM_DEPS=1" >&2
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "system-deps: please install: ${missing[*]} (apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: no apt-get here; install ${missing[*]} with your package manager" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]} from Debian packages" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's package may start a system influxd on :8086; the stack manages its own under ./data.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet influxdb 2>/dev/null; then
  $sudo systemctl stop influxdb || true
fi
# Likewise the packages' system redis, mosquitto and caddy: tests start their own on free ports.
for unit in mosquitto caddy; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$unit" 2>/dev/null; then
    $sudo systemctl stop "$unit" || true
  fi
done
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  $sudo systemctl stop redis-server || true
fi
