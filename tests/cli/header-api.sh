#!/usr/bin/env bash
# Headers are APIs (HACKING.md): a function declared in a module's public header is used by
# another module (or tested as an API by another module's unit test or a fuzzer); what only
# the module uses is declared in its private header. scripts/header-api.py --check names each
# declaration that breaks this and fails.
. "$(dirname "$0")/../lib/tap.sh"
plan 6

run python3 "$TOP/scripts/header-api.py" --check
check_eq "no public header declares what only its own module uses (header-api.py --check)" \
	"0:" "$RC:$OUT"
[ -z "$OUT" ] || diag "$OUT"

# The checker itself, on copies of the tree: each needless public declaration fails, named.
mk_tmpdir T
copy_tree() {
	mkdir -p "$1/scripts" && cp -r "$TOP/src" "$TOP/fuzz" "$1/" &&
		cp "$TOP/scripts/header-api.py" "$1/scripts/"
}

# A function of core/ declared in its public header and used only inside core/.
copy_tree "$T/a"
printf 'int util_only_here(void);\n' >> "$T/a/src/core/util.h"
printf 'int util_only_here(void) { return 0; }\nint util_caller(void);\nint util_caller(void) { return util_only_here(); }\n' \
	>> "$T/a/src/core/util.c"
run python3 "$T/a/scripts/header-api.py" --check
check_eq "a public declaration only its module uses fails" 1 "$RC"
check_match "... naming header, function and the module's user" \
	'^src/core/util.h util_only_here: only core/ \(core/util.c\)$' "$OUT"

# One used nowhere at all.
copy_tree "$T/b"
printf 'void report_never_called(int x);\n' >> "$T/b/src/report/report.h"
run python3 "$T/b/scripts/header-api.py" --check
check_match "a public declaration nobody uses fails, named" \
	'^src/report/report.h report_never_called: nowhere but its declaration$' "$OUT"

# Kept public: another module's unit test uses it as an API (not a finding).
copy_tree "$T/c"
printf 'int util_only_here(void);\n' >> "$T/c/src/core/util.h"
printf 'int util_only_here(void) { return 0; }\n' >> "$T/c/src/core/util.c"
printf 'static int t(void) { return util_only_here(); }\n' >> "$T/c/src/report/report_test.c"
run python3 "$T/c/scripts/header-api.py" --check
check_eq "one another module's unit test uses stays public: --check passes" "0:" "$RC:$OUT"

# Without --check the script lists, exits 0 (the listing mode is kept).
run python3 "$T/a/scripts/header-api.py" core
check_eq "the listing mode lists the finding and exits 0" "0:1" \
	"$RC:$(grep -cxF 'src/core/util.h util_only_here: only core/ (core/util.c)' <<<"$OUT")"
