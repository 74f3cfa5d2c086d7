#!/bin/bash
# PID 1 of a VM driven command by command from the host (tests/vm/lib/vm.sh: vm_exec,
# vm_bg, vm_bg_state, vm_bg_wait, vm_poweroff): the lab host's network (g_start), then the
# agent loop (g_agent in guest.sh), until the host asks for poweroff.
. "$(dirname "$0")/guest.sh"
g_start
g_agent
