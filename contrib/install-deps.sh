#!/bin/sh
# install-deps.sh - installs, with apt-get, everything egress-milter
# needs to build and to run its test suite on Debian 12 (as root; it
# asks sudo when run by another user).
# Postfix is preseeded with "No configuration" so nothing asks questions
# and the system's mail setup is left alone. Sendmail, for the tests, is
# unpacked into a private tree by install-test-sendmail.sh (not
# installed as a package: it would displace Postfix).
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
    libmilter-dev libopendkim-dev libldns-dev libpsl-dev \
    libmicrohttpd-dev zlib1g-dev libssl-dev libhiredis-dev curl \
    publicsuffix \
    miltertest nsd ldnsutils postfix swaks procps iproute2 jq man-db \
    redis-server \
    strace \
    m4 libdb5.3 libldap-2.5-0 liblockfile1 libnsl2 libsasl2-2 libssl3 \
    libwrap0 valgrind clang libclang-rt-14-dev \
    debhelper lintian fakeroot \
    opendkim opendkim-tools python3-dkim
"$(dirname "$0")/install-test-sendmail.sh"
