#!/bin/sh
# autogen.sh - makes ./configure from configure.ac (needs autoconf,
# automake and pkg-config; contrib/install-deps.sh installs them).
set -e
cd "$(dirname "$0")"
mkdir -p m4
autoreconf --force --install
