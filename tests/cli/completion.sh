#!/usr/bin/env bash
# The bash completion, loaded the way an interactive shell loads it: bash-completion's own
# loader (/usr/share/bash-completion/bash_completion, Debian's bash-completion) finds
# completions/meshnfs on demand on XDG_DATA_DIRS, as it finds the installed
# /usr/share/bash-completion/completions/meshnfs; then COMP_WORDS are simulated.
. "$(dirname "$0")/../lib/tap.sh"
plan 21

mk_tmpdir T
mkdir -p "$T/share/bash-completion/completions" "$T/bin"
ln -s "$TOP/completion/meshnfs.bash" "$T/share/bash-completion/completions/meshnfs"
ln -s "$MESHNFS" "$T/bin/meshnfs"
cat > "$T/mesh.conf" <<'CONF'
[server]
address = 100.64.0.1
[nodes]
sfspark1 = 100.64.0.1 server
office-one = 100.64.0.4,fd7a:115c:a1e0::4 windows   # a comment
Laptop = 100.64.0.5 client os=linux
CONF

# complete LINE: prints COMPREPLY, one per line, for the cursor at the end of LINE (a
# trailing space means a new, empty word). Runs in a fresh bash with bash-completion.
complete_line() {
	PATH="$T/bin:$PATH" XDG_DATA_DIRS="$T/share" HOME=$T LINE=$1 bash --norc --noprofile -c '
		. /usr/share/bash-completion/bash_completion || exit 3
		complete -p meshnfs >/dev/null 2>&1 && { echo "loaded before use" >&2; exit 4; }
		# What bash does on the first Tab for a command without a completion: the default
		# (-D) completion, bash-completion'"'"'s loader, which sources the file and asks for
		# a retry (124).
		_completion_loader meshnfs "" meshnfs
		[ $? = 124 ] || { echo "loader did not load" >&2; exit 5; }
		spec=$(complete -p meshnfs) || exit 6
		fn=${spec#*-F }; fn=${fn%% *}
		read -ra COMP_WORDS <<< "$LINE"
		[[ $LINE == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$LINE COMP_POINT=${#LINE}
		"$fn" meshnfs "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	'
}
words() { complete_line "$1" | sort | tr '\n' ' ' | sed 's/ $//'; }

run complete_line "meshnfs "
check_eq "the loader found and loaded it" 0 "$RC"
check_eq "commands" "doctor env help probe repair setup status watch" "$(printf '%s\n' "$OUT" | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "a command's prefix" "setup status" "$(words "meshnfs s")"
check_eq "setup's targets" "client server wsl" "$(words "meshnfs setup ")"
check_eq "probe's options (from meshnfs help probe)" "--format --no-write" \
	"$(words "meshnfs probe --f") $(words "meshnfs probe --no-w")"
out=$(words "meshnfs doctor --")
check_match "doctor's options" "--all .*--format .*--source" "$out"
check_match "doctor: the global options too" "--config .*--root .*--timeout" "$out"
check_no_match "doctor: no option of another command" "--no-write|--dry-run" "$out"
check_eq "setup server's own options" "--backend" "$(words "meshnfs setup server --b")"
check_no_match "setup client: no server option" "--backend|--clients" "$(words "meshnfs setup client --")"
check_eq "--source values" "config headscale tailscale tailscale.exe" "$(words "meshnfs status --source ")"
check_eq "--source after doctor --all" "tailscale tailscale.exe" "$(words "meshnfs doctor --all --source tails")"
check_eq "--backend values" "ceph ganesha kernel" "$(words "meshnfs setup server --backend ")"
check_eq "--format values" "human json nagios" "$(words "meshnfs probe --format ")"
check_eq "probe: hosts from [nodes] and [server] of --config" \
	"100.64.0.1 100.64.0.4 100.64.0.5 Laptop fd7a:115c:a1e0::4 office-one sfspark1" \
	"$(words "meshnfs --config $T/mesh.conf probe ")"
check_eq "probe: a host's prefix, --config after the command" "office-one" \
	"$(words "meshnfs probe --config $T/mesh.conf off")"
check_eq "probe without a readable configuration: nothing" "" \
	"$(words "meshnfs --config $T/absent.conf probe ")"
check_eq "help completes commands" "probe" "$(words "meshnfs help pr")"
check_eq "help setup completes its targets" "client server wsl" "$(words "meshnfs help setup ")"
check_match "before the command: global options and --version" "--json .*--version" "$(words "meshnfs --")"
check_eq "--root completes directories" "$T/share" "$(words "meshnfs --root $T/sh")"
