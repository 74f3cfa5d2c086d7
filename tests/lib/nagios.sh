# shellcheck shell=bash
# A strict reader of Monitoring Plugins output (the development guidelines, "Plugin Output"
# and "Performance data"): exactly one line on stdout,
#   SERVICE STATUS - text[ | perfdata]
# STATUS one of OK WARNING CRITICAL UNKNOWN matching the exit code 0 1 2 3, text without '|',
# perfdata space-separated items 'label'=value[UOM];[warn];[crit];[min];[max] with a label
# in single quotes (no ' or =), value a number or U, UOM one of the guidelines' (s ms us % B
# KB MB TB c) or none, warn/crit ranges [@][start:][end] (~ for -inf), min/max numbers.
# Source after tap.sh.
# shellcheck disable=SC2034 # NAGIOS_* are for the test that sources this

_NUM='-?[0-9]+(\.[0-9]+)?'
_RANGE="(@?((~|$_NUM)?:)?($_NUM)?)"
_PERF_ITEM="'[^'=]+'=(U|$_NUM(s|ms|us|%|B|KB|MB|TB|c)?);$_RANGE?;$_RANGE?;($_NUM)?;($_NUM)?"

# nagios_parse OUT RC: 0 when OUT and RC follow the guidelines; else prints why (stderr).
# Sets NAGIOS_STATUS, NAGIOS_TEXT and NAGIOS_PERF (an array of items).
nagios_parse() {
	local out=$1 rc=$2 line perf item want
	NAGIOS_STATUS='' NAGIOS_TEXT='' NAGIOS_PERF=()
	if [ "$(printf '%s\n' "$out" | wc -l)" != 1 ] || [ -z "$out" ]; then
		echo "not exactly one line: $out" >&2; return 1
	fi
	line=$out
	if ! [[ $line =~ ^[A-Z][A-Z0-9_\ ]*\ (OK|WARNING|CRITICAL|UNKNOWN)\ -\ ([^|]*[^|\ ])(\ \|\ (.*))?$ ]]; then
		echo "not 'SERVICE STATUS - text[ | perfdata]': $line" >&2; return 1
	fi
	NAGIOS_STATUS=${BASH_REMATCH[1]} NAGIOS_TEXT=${BASH_REMATCH[2]} perf=${BASH_REMATCH[4]}
	case $NAGIOS_STATUS in OK) want=0 ;; WARNING) want=1 ;; CRITICAL) want=2 ;; UNKNOWN) want=3 ;; esac
	[ "$rc" = "$want" ] || { echo "status $NAGIOS_STATUS but exit $rc" >&2; return 1; }
	if [[ -n ${BASH_REMATCH[3]} ]]; then
		[[ $perf =~ ^\'.*[^\ ]$ ]] || { echo "perfdata: $perf" >&2; return 1; }
		# Items are separated by one space; labels hold no space here (check ids, step names).
		for item in $perf; do
			[[ $item =~ ^$_PERF_ITEM$ ]] || { echo "bad perfdata item: $item" >&2; return 1; }
			NAGIOS_PERF+=("$item")
		done
	fi
	return 0
}

# nagios_perf LABEL: the value (with UOM) of LABEL in NAGIOS_PERF, or nothing.
nagios_perf() {
	local item
	for item in "${NAGIOS_PERF[@]}"; do
		[[ $item == "'$1'="* ]] && { item=${item#*=}; echo "${item%%;*}"; return; }
	done
}
