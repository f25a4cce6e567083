#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# my_rng hot-unplug during a read and with the device held open; hot-plug.
cd "$(dirname "$0")/../.." && exec scripts/scenario.sh rng-hotplug
