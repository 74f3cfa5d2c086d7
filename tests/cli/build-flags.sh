#!/usr/bin/env bash
# The hardening flags (Makefile HARDEN): what the compiler is asked for (make -n, nothing
# built), also when CFLAGS is overridden, and what the built objects carry.
# mutate: skip (it checks the build, not a mutant; on tests/mutate's -O0 coverage build it fails)
. "$(dirname "$0")/../lib/tap.sh"
plan 14
cd "$TOP" || exit 1

# compile_line CFLAGS: the command make would run for one object, CFLAGS given or not.
compile_line() {
	if [ "$1" = default ]; then
		make -s -n -B build/obj/core/util.o | grep -- ' -c '
	else
		make -s -n -B build/obj/core/util.o CFLAGS="$1" | grep -- ' -c '
	fi
}
line=$(compile_line default)
check_match "default: _FORTIFY_SOURCE=3" " -D_FORTIFY_SOURCE=3 " "$line"
check_match "default: -U_FORTIFY_SOURCE before it (a predefined level 2 does not clash)" \
	" -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3 " "$line"
check_match "default: stack clash protection" " -fstack-clash-protection " "$line"
check_match "default: control-flow protection (CET)" " -fcf-protection " "$line"
check_match "default: stack protector and PIE" " -fstack-protector-strong .* -fPIE " "$line"
# FORTIFY needs optimisation: CFLAGS=-g alone would switch it off without an error.
line=$(compile_line -g)
check_match "CFLAGS=-g: an -O is added, so FORTIFY stays on" " -g -O2 -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3 " "$line"
line=$(compile_line "-g -Os")
check_no_match "CFLAGS=-g -Os: its own -O is kept, none added" " -O2 " "$line"

# The objects of the last build carry the CET property (IBT and shadow stack).
obj=$TOP/build/obj/core/util.o
if [ -f "$obj" ]; then
	check_match "built object: IBT and SHSTK" "x86 feature: IBT, SHSTK" "$(readelf -n "$obj" 2>&1)"
else
	not_ok "built object: $obj missing (make all)"
fi
# FORTIFY at work: the binary calls the checking variants of the string functions.
check "built binary: fortified calls (__*_chk)" bash -c "nm -D '$MESHNFS' | grep -q '_chk@'"

# Libraries only some commands use are loaded when first used (src/core/lazylib.h), not
# linked: every start-up would otherwise load them and the ~30 libraries they bring.
needed=$(objdump -p "$MESHNFS" | awk '$1 == "NEEDED" { print $2 }')
for lib in libnfs libcurl libsystemd libmicrohttpd libcephfs; do
	check_no_match "built binary: $lib is not linked (loaded on first use)" "^$lib\\." "$needed"
done
