#!/bin/sh
# install-deps.sh - installs, with apt-get, everything egress-milter
# needs to build and to run its test suite on Debian 12 (as root; it
# asks sudo when run by another user).
# Postfix is preseeded with "No configuration" so nothing asks questions
# and the system's mail setup is left alone.
set -e
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "$0: run this as root" >&2; exit 1; }
	exec sudo "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
echo "postfix postfix/main_mailer_type select No configuration" |
    debconf-set-selections
apt-get install -y --no-install-recommends \
    build-essential autoconf automake pkg-config ca-certificates \
    libmilter-dev libopendkim-dev libldns-dev libspf2-dev libpsl-dev \
    publicsuffix \
    miltertest nsd ldnsutils postfix swaks procps iproute2 jq man-db \
    valgrind clang libclang-rt-14-dev
