#!/usr/bin/env bash
# meshnfs.conf(5) and the shipped example /etc/meshnfs.conf (conf/meshnfs.conf) against the
# parser's table of keys (src/config/config.c, keys[]): every key documented in its section
# with a default, in the example with the same default, no documented key the parser lacks;
# the example parses with meshnfs itself, commented and with every key set; each key's error
# for a bad value is one the page lists.
. "$(dirname "$0")/../lib/tap.sh"
plan 11
PAGE=$TOP/man/meshnfs.conf.5
EXAMPLE=$TOP/conf/meshnfs.conf
R=$FIXTURES/roots/debian12
empty_netns NS
mk_tmpdir T

# "section key" per row of the table, in order.
table=$(grep -o '{ "[a-z]*", "[a-z_]*", V_[A-Z]*' "$TOP/src/config/config.c" |
	sed 's/{ "\([a-z]*\)", "\([a-z_]*\)", .*/\1 \2/')
check_match "the table has rows" "^server address" "$table"

# The page's keys: ".BR key " (type; default ...)"" lines under '.SH "[section]"'.
page_keys=$(awk '/^\.SH "\[/ { s = $2; gsub(/[]"[]/, "", s); next } /^\.SH/ { s = "" }
	s != "" && /^\.BR [a-z_]+ "/ { print s, $2 }' "$PAGE")
missing=$(comm -23 <(sort <<< "$table") <(sort <<< "$page_keys") | tr '\n' ',')
check_eq "every key of the table is in meshnfs.conf(5), in its section" "" "$missing"
extra=$(comm -13 <(sort <<< "$table") <(sort <<< "$page_keys") | tr '\n' ',')
check_eq "the page documents no key the parser lacks" "" "$extra"
check_eq "the page has [nodes] too" 1 "$(grep -c '^\.SH "\[nodes\]"' "$PAGE")"

# The example's keys: "#key = value" under "[section]" (and under the commented "#[share NAME]").
ex_keys=$(awk '/^#\[share / { s = "share"; next } /^\[/ { s = $0; gsub(/[][]/, "", s); next } /^#[a-z_]+ = / { k = $0; sub(/^#/, "", k);
	sub(/ = .*/, "", k); if (s != "nodes") print s, k }' "$EXAMPLE")
check_eq "the example has every key in its section" "$(sort <<< "$table")" "$(sort <<< "$ex_keys")"

# Defaults: the page's "(type; default VALUE)" and the example's value agree.
bad_defaults='' n_defaults=0
while read -r s k; do
	d=$(awk -v s="$s" -v k="$k" '/^\.SH "\[/ { c = $2; gsub(/[]"[]/, "", c); next }
		c == s && $1 == ".BR" && $2 == k { if (match($0, /default " [^ ]+ \)/)) {
			v = substr($0, RSTART + 10, RLENGTH - 12); gsub(/\\/, "", v); print v } }' "$PAGE")
	[ -n "$d" ] || continue
	v=$(awk -v s="$s" -v k="$k" '/^#\[share / { c = "share"; next } /^\[/ { c = $0; gsub(/[][]/, "", c); next }
		c == s && index($0, "#" k " = ") == 1 { print substr($0, length(k) + 5) }' "$EXAMPLE")
	n_defaults=$((n_defaults + 1))
	[ "$d" = "$v" ] || bad_defaults+="$s.$k: page '$d', example '$v'; "
done <<< "$table"
check_eq "defaults in the page and the example agree (17 keys have one)" "17 " "$n_defaults $bad_defaults"

# The shipped file, as installed, parses: meshnfs reads it and exits 0 (env on a fixture
# root, in an empty network namespace).
run ip netns exec "$NS" "$MESHNFS" --root "$R" --config "$EXAMPLE" env
check_eq "the shipped example parses with meshnfs (exit 0)" "0 " "$RC $ERR"
# Every key uncommented (api_key: the file must then be private), the share too (with servers:
# server and servers are one key, given once).
sed -e '/^#server = /d' -e 's/^#\[share /[share /' -e 's/^#\([a-z_-]* = \)/\1/' "$EXAMPLE" > "$T/all.conf"
chmod 600 "$T/all.conf"
run ip netns exec "$NS" "$MESHNFS" --root "$R" --config "$T/all.conf" env
check_eq "the example with every key set parses (exit 0)" "0 " "$RC $ERR"
# A broken value in it is caught (the same run fails): proves the check above can fail.
sed 's/^#sessions = 8/sessions = 0/' "$EXAMPLE" > "$T/broken.conf"
run ip netns exec "$NS" "$MESHNFS" --root "$R" --config "$T/broken.conf" env
check_match "a broken example fails with exit 65, file and line" "^65 meshnfs: $T/broken.conf:[0-9]+: sessions:" "$RC $ERR"

# Each key's error for a bad value is listed in the page (the value shown as VALUE).
text=$(groff -man -Tutf8 -P-cbou -rLL=400n "$PAGE" 2>/dev/null | tr -s ' \n' '  ')
unlisted='' exits=''
while read -r s k; do
	sec=$s
	[ "$s" = share ] && sec="share t" # a share section has a name
	printf '[%s]\n%s = bad value!\n' "$sec" "$k" > "$T/bad.conf"
	chmod 600 "$T/bad.conf"
	run ip netns exec "$NS" "$MESHNFS" --root "$R" --config "$T/bad.conf" env
	exits+="$RC "
	msg=${ERR#"meshnfs: $T/bad.conf:2: $k: "}
	msg=${msg//bad value!/VALUE}
	[[ -n $msg && $text == *"$msg"* ]] || unlisted+="$s.$k: $msg; "
done <<< "$table"
check_eq "a bad value of each key: exit 65" "$(sed 's/.*/65/' <<< "$table" | tr '\n' ' ')" "$exits"
check_eq "a bad value of each key: the error is one meshnfs.conf(5) lists" "" "$unlisted"
