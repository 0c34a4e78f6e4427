#!/usr/bin/env bash
# Builds the local-mode file system jar (see src/pipeline/localfs/NioLocalFileSystem.java) against the
# Hadoop client jars PySpark ships: build.sh <pyspark jars folder> <out jar>
set -euo pipefail
if ! command -v javac >/dev/null 2>&1; then
  echo "warning: no javac (a JDK): local Spark runs without spark/localfs, and writes are slower" >&2
  exit 0
fi
jars="$1"
out="$2"
here="$(cd "$(dirname "$0")" && pwd)"
classes="$(mktemp -d)"
trap 'rm -rf "$classes"' EXIT
javac --release 8 -nowarn -cp "$jars/*" -d "$classes" "$here"/src/pipeline/localfs/*.java
mkdir -p "$(dirname "$out")"
jar --create --file "$out" --date=2020-01-01T00:00:00Z -C "$classes" .
