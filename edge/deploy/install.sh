#!/bin/sh
# Installs the village gateway from this offline bundle: no network, no npm, no compiler.
# 从离线安装包安装乡村网关：无需联网、npm 或编译器。
set -eu

usage() {
  cat <<'TEXT'
Usage / 用法: sudo ./install.sh [--prefix DIR] [--no-systemd]
  --prefix DIR    where the gateway goes (default /opt/village-gateway); must be empty or absent
                  安装目录（默认 /opt/village-gateway），须为空或不存在
  --no-systemd    only copy the files and write the unit into DIR/deploy (containers, tests)
                  只复制文件，把服务单元写到 DIR/deploy（容器、测试）
Then / 然后: the config in /etc/village-gateway/edge.yaml (see deploy/INSTALL.md),
             sudo systemctl enable --now village-gateway
TEXT
}

PREFIX=/opt/village-gateway
SYSTEMD=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --no-systemd) SYSTEMD=no; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option / 未知选项: $1" >&2; usage >&2; exit 2 ;;
  esac
done

HERE=$(cd "$(dirname "$0")" && pwd)
NODE=$(command -v node || true)
if [ -z "$NODE" ]; then
  echo "✘ node not found / 找不到 node: install Node.js 20.15 or later first (deploy/INSTALL.md)" >&2
  exit 1
fi
NODE=$(readlink -f "$NODE")
if ! "$NODE" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=15)?0:1)'; then
  echo "✘ Node.js $("$NODE" --version) is too old / 版本过低: the gateway needs 20.15 or later" >&2
  exit 1
fi
ARCH=$("$NODE" -p 'process.platform + "-" + process.arch')
if [ ! -d "$HERE/node_modules/classic-level/prebuilds/$ARCH" ]; then
  echo "✘ this bundle has no native modules for $ARCH / 安装包不含 $ARCH 的原生模块" >&2
  exit 1
fi
if [ -e "$PREFIX" ] && [ -n "$(ls -A "$PREFIX" 2>/dev/null)" ]; then
  echo "✘ $PREFIX is not empty / 目录非空: remove it or give another --prefix" >&2
  exit 1
fi

mkdir -p "$PREFIX"
cp -R "$HERE/dist" "$HERE/node_modules" "$HERE/package.json" "$HERE/deploy" "$PREFIX/"
# The unit names the node this script found: systemd needs an absolute path, and node
# lives in /usr/bin (Debian), /usr/local/bin (the official tarball) or elsewhere.
sed -e "s#@NODE@#$NODE#g" -e "s#@PREFIX@#$PREFIX#g" "$HERE/deploy/village-gateway.service" >"$PREFIX/deploy/village-gateway.service"
"$NODE" "$PREFIX/dist/edge/cli.js" --help >/dev/null

if [ "$SYSTEMD" = yes ]; then
  id village-gw >/dev/null 2>&1 || useradd --system --home /var/lib/village-gateway --shell /usr/sbin/nologin village-gw
  mkdir -p /etc/village-gateway
  if [ ! -e /etc/village-gateway/edge.yaml ]; then
    install -m 0640 -g village-gw "$HERE/deploy/edge.example.yaml" /etc/village-gateway/edge.yaml
  fi
  install -m 0644 "$PREFIX/deploy/village-gateway.service" /etc/systemd/system/village-gateway.service
  systemctl daemon-reload
  echo "✔ installed / 已安装 in $PREFIX (node $NODE)"
  echo "  next / 下一步: sudoedit /etc/village-gateway/edge.yaml; $NODE $PREFIX/dist/edge/cli.js check -c /etc/village-gateway/edge.yaml"
  echo "                sudo systemctl enable --now village-gateway"
else
  echo "✔ installed / 已安装 in $PREFIX (node $NODE); unit: $PREFIX/deploy/village-gateway.service"
fi
