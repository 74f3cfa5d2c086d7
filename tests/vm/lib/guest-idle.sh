#!/bin/bash
# Guest for tests/vm/harness.sh: boots, publishes "booted", then never powers off by itself,
# so only the host's teardown or the VM deadline can end it.
. "$(dirname "$0")/guest.sh"
g_start
while :; do sleep 3600; done
