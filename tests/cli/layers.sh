#!/usr/bin/env bash
# Layers point down only (HACKING.md): every #include "dir/file.h" in src/ must name its own
# directory or a lower layer. Engines never include one another. Unit tests (*_test.c) may
# include anything.
#
#   7 main.c
#   6 cmd
#   5 engines: doctor status fleet setup watch     (sideways forbidden)
#   4 report
#   3 facts: node mesh net mount                   (sideways forbidden)
#   2 file models: config fstab exports            (sideways forbidden)
#   1 format (pure parsers)
#   0 core
#
# KNOWN lists the includes that break the rule today (issue 10's debt), each with what has to
# move. An entry that no longer occurs fails too, so the list only shrinks.
. "$(dirname "$0")/../lib/tap.sh"
plan 6

declare -A RANK=([core]=0 [format]=1 [config]=2 [fstab]=2 [exports]=2 [node]=3 [mesh]=3
	[net]=3 [mount]=3 [report]=4 [doctor]=5 [status]=5 [fleet]=5 [setup]=5 [watch]=5 [cmd]=6)

KNOWN=(
)

# Prints "file:line: from -> to: reason" for every include that breaks the rule, under $1.
layer_violations() {
	local src=$1 f n inc from to rf rt
	while IFS=: read -r f n inc; do
		case $f in *_test.c) continue ;; esac
		from=${f#"$src"/}
		if [ "$from" = main.c ]; then from=main; else from=${from%%/*}; fi
		[[ $inc =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]+\"([a-z_]+)/ ]] || continue
		to=${BASH_REMATCH[1]}
		[ "$to" = "$from" ] && continue
		[ "$from" = main ] && rf=7 || rf=${RANK[$from]:-}
		rt=${RANK[$to]:-}
		if [ -z "$rf" ] || [ -z "$rt" ]; then
			echo "src/${f#"$src"/}:$n: $from -> $to: directory without a layer (add it to RANK)"
		elif [ "$rt" -ge "$rf" ]; then
			echo "src/${f#"$src"/}:$n: $from -> $to: $([ "$rt" = "$rf" ] && echo sideways || echo upward)"
		fi
	done < <(grep -rnE --include='*.[ch]' '^[[:space:]]*#[[:space:]]*include[[:space:]]+"[a-z_]+/' "$src" | sort)
}

# Violations minus the KNOWN ones; KNOWN entries that did not occur, as "stale: ...".
judge_layers() {
	local out=$1 k seen
	local -A hit=()
	while IFS= read -r v; do
		[ -n "$v" ] || continue
		k="${v%%:*} -> $(sed -E 's/^[^:]+:[0-9]+: [a-z_]+ -> ([a-z_]+):.*/\1/' <<<"$v")"
		seen=0
		for e in "${KNOWN[@]}"; do [ "$e" = "$k" ] && { seen=1; hit[$e]=1; }; done
		[ $seen = 1 ] || echo "$v"
	done <<<"$out"
	for e in "${KNOWN[@]}"; do [ -n "${hit[$e]:-}" ] || echo "stale: $e (fixed? remove it from KNOWN)"; done
}

got=$(layer_violations "$TOP/src")
bad=$(judge_layers "$got")
check_eq "no include runs up or sideways in src/ (besides the KNOWN list)" "" "$bad"
[ -z "$bad" ] || diag "$bad"
check_eq "the KNOWN list is empty: no layer break is tolerated any more" 0 "${#KNOWN[@]}"

# The checker itself: an upward include, a sideways engine include and a new directory each
# fail, naming file and line.
mk_tmpdir T
cp -r "$TOP/src" "$T/src"
printf '#include "cmd/cmd.h"\n' >> "$T/src/core/util.c"
line=$(wc -l < "$T/src/core/util.c")
check_match "an upward include is named with its line" "^src/core/util.c:$line: core -> cmd: upward$" \
	"$(judge_layers "$(layer_violations "$T/src")")"
cp -r "$TOP/src" "$T/src2"
sed -i '1i #include "status/status.h"' "$T/src2/doctor/doctor.c"
check_match "an engine including another engine is sideways" \
	"^src/doctor/doctor.c:1: doctor -> status: sideways$" "$(judge_layers "$(layer_violations "$T/src2")")"
cp -r "$TOP/src" "$T/src3"
mkdir "$T/src3/gadget" && printf '#include "cmd/cmd.h"\n' > "$T/src3/gadget/g.c"
check_match "a directory without a layer is refused" "gadget -> cmd: directory without a layer" \
	"$(judge_layers "$(layer_violations "$T/src3")")"
# A KNOWN entry whose include is gone (here: one that never was) is named as stale.
check_match "a fixed KNOWN entry must leave the list" "^stale: src/doctor/server.c -> setup" \
	"$(KNOWN+=("src/doctor/server.c -> setup"); judge_layers "$got")"
