#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Our driver against vdevkit's host backend (branch cryptoqemu): four data
# queues served by worker threads, whatever algorithms its provider
# advertises (AES-CBC must be one), all test sections.
# With 1 GiB the guest kernel turns transparent huge pages on (not below
# 512 MiB), so big buffers are physically contiguous.
# vm: -m 1024 -smp 2 -object cryptodev-backend-host,id=c0,queues=4 -device virtio-crypto-pci,cryptodev=c0
. /lib/vdevkit/tap.sh
. /lib/vdevkit/crypto.sh

dmesg | grep 'virtio_cryptodev virtio' | sed 's/^/# /'
check "4 data queues in use" sh -c "dmesg | grep -q '/dev/cryptodev0: 4 data queues'"
crypto-demo >/tmp/demo.out
ok $? "demo round trip"
sed "s/^/# /" /tmp/demo.out
tap_include crypto-test -r aes-128-cbc
# Kept pinnings (pin_cache): remapped, COW'd, protected buffers, the bound.
tap_include crypto-test -r aes-128-cbc pins
# The bound over all files: with pin_cache_total 0 nothing is kept.
echo 0 >/sys/module/virtio_cryptodev/parameters/pin_cache_total
h0=$(vcd_stat cryptodev0 pin_cache_hits) m0=$(vcd_stat cryptodev0 pin_cache_misses)
crypto-bench -t 1 65536 >/dev/null
h1=$(vcd_stat cryptodev0 pin_cache_hits) m1=$(vcd_stat cryptodev0 pin_cache_misses)
check "pin_cache_total=0: no pinning kept ($((h1 - h0)) hits, $((m1 - m0)) misses)" \
	test $((h1 - h0)) = 0 -a $((m1 - m0)) -gt 0
echo $((64 << 20)) >/sys/module/virtio_cryptodev/parameters/pin_cache_total
sed 's/^/# stats: /' /sys/class/misc/cryptodev0/stats
for q in 0 1 2 3; do
	check "data queue $q carried requests" test "$(vcd_stat cryptodev0 dataq.$q)" -gt 0
done
is "$(vcd_stat cryptodev0 device_sessions)" 0 "every device session destroyed again"
# crypto-test's big buffers are huge-page aligned: contiguous pages
# travel in shared descriptors (and the results above were right).
pages=$(vcd_stat cryptodev0 data_pages)
segs=$(vcd_stat cryptodev0 data_segments)
check "contiguous pages merged: $pages pages in $segs descriptors" \
	test "$segs" -lt "$pages"
crypto-bench -t 1 | sed 's/^/# /'
# crypto-bench -p huge: its 1 MiB requests on transparent huge pages take
# a few descriptors, not one per page.
p0=$(vcd_stat cryptodev0 data_pages) s0=$(vcd_stat cryptodev0 data_segments)
crypto-bench -p huge -t 1 1048576 | sed 's/^/# /'
p1=$(vcd_stat cryptodev0 data_pages) s1=$(vcd_stat cryptodev0 data_segments)
check "crypto-bench -p huge: $((p1 - p0)) pages in $((s1 - s0)) descriptors" \
	test $((s1 - s0)) -gt 0 -a $(((s1 - s0) * 64)) -le $((p1 - p0))
# Long scatterlists are kept for the next requests: a run of 1 MiB
# requests, a cipher's pieces and AEAD requests, allocates a few, not one
# a request.
a0=$(vcd_stat cryptodev0 sg_allocs) q0=$(vcd_reqs cryptodev0)
crypto-bench -t 1 1048576 >/dev/null
crypto-bench -a aes-128-gcm -t 1 1048576 >/dev/null
a1=$(vcd_stat cryptodev0 sg_allocs) q1=$(vcd_reqs cryptodev0)
check "1 MiB requests reuse scatterlists: $((a1 - a0)) allocated for $((q1 - q0)) requests" \
	test $((q1 - q0)) -ge 20 -a $((a1 - a0)) -le 4
crypto-bench -p 4k 64 >/dev/null 2>&1
is $? 2 "crypto-bench -p with an unknown page kind is a usage error"
tap_done
