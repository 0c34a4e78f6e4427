#!/usr/bin/env bash
# Provides Node.js 22 at .tools/bin/node for every project script.
# Uses the machine's node when it is already 22.x, otherwise installs the
# official Node 22 binary package from the npm registry (node-linux-<arch>).
set -euo pipefail
NODE_VERSION="${NODE_VERSION:-22.23.3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools/bin"

# The machine's node, looked up without our own .tools/bin (which may already be first on PATH).
machine_path="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$tools/bin" | paste -sd: -)"
system_node="$(PATH="$machine_path" command -v node || true)"
system_major=""
if [ -n "$system_node" ]; then
  system_major="$("$system_node" -p 'process.versions.node.split(".")[0]' 2>/dev/null || true)"
fi

if [ "$system_major" = "22" ]; then
  ln -sfn "$system_node" "$tools/bin/node"
else
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64|arm64) arch=arm64 ;;
    *) echo "error: unsupported CPU $(uname -m) for the Node 22 package; install Node 22 yourself" >&2; exit 1 ;;
  esac
  pkg="node-linux-$arch"
  if [ ! -x "$tools/node_modules/$pkg/bin/node" ] || [ "$("$tools/node_modules/$pkg/bin/node" -v)" != "v$NODE_VERSION" ]; then
    echo "installing Node $NODE_VERSION ($pkg from the npm registry; machine has ${system_major:-no} node)"
    npm install --no-save --no-package-lock --prefix "$tools" "$pkg@$NODE_VERSION" >/dev/null
  fi
  ln -sfn "$tools/node_modules/$pkg/bin/node" "$tools/bin/node"
fi
"$tools/bin/node" -v >/dev/null
