#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs inside the freshly debootstrapped dom0 root (chroot), once; its text is
# part of the cache key of the dom0 image.  Installs the Xen release's
# toolstack and hypervisor from its own suite's archive and trims what a test
# dom0 never reads.  Environment: XEN_PKGS, XEN_SUITE, DEBIAN_MIRROR,
# DEBIAN_SECURITY.
set -eu
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

cat >/etc/apt/sources.list <<EOT
deb $DEBIAN_MIRROR $XEN_SUITE main
deb $DEBIAN_MIRROR $XEN_SUITE-updates main
deb $DEBIAN_SECURITY $XEN_SUITE-security main
EOT
# No daemon may start inside the chroot.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod +x /usr/sbin/policy-rc.d

apt-get update -q
# The postinst's "Can't find hypervisor information" is expected here.
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $XEN_PKGS
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* \
	/usr/share/man/* /usr/share/info/* /usr/share/locale/*

# xenconsoled logs each guest console to /var/log/xen/console/guest-NAME.log:
# that file is how a scenario reads its guest's output.
sed -i '/^XENCONSOLED_ARGS=/d' /etc/default/xen 2>/dev/null || true
echo 'XENCONSOLED_ARGS="--log=guest"' >>/etc/default/xen
echo dom0 >/etc/hostname
# Mount points for the per-run payload disk and the stage-2 tmpfs dirs.
mkdir -p /vdevkit /var/log/xen/console /var/lib/xen /var/run/xen
