#!/usr/bin/env bash
# Spark 3.5 needs a Java 17 runtime (8/11/17 work; 17 is what EMR 7 uses).
set -euo pipefail
if ! command -v java >/dev/null 2>&1; then
  echo "error: Java is missing. Spark needs a Java 17 runtime: apt-get install openjdk-17-jdk-headless (or set JAVA_HOME)." >&2
  exit 1
fi
version="$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
major="${version%%.*}"
if [ "$major" != "17" ]; then
  echo "error: Java $version found; Spark 3.5 on this project is tested with Java 17. Install openjdk-17 and put it first on PATH (or set JAVA_HOME)." >&2
  exit 1
fi
