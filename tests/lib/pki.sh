# shellcheck shell=bash
# Certificates for tests that need TLS: a private CA and server certificates made at test time
# with Debian's openssl, valid two days, never installed; and Headscale's API replayed on a lab
# host with them (hs_replay_up).

# pki_ca DIR NAME: a private CA (DIR/NAME.pem, DIR/NAME.key).
pki_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=meshnfs test $2" -keyout "$1/$2.key" -out "$1/$2.pem" 2>/dev/null
}

# pki_cert DIR CA NAME IP: a server certificate DIR/NAME.pem/.key for IP, signed by CA.
pki_cert() {
	local d=$1 ca=$2 name=$3 ip=$4
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-subj "/CN=$ip" -keyout "$d/$name.key" -out "$d/$name.csr" 2>/dev/null &&
	printf 'subjectAltName=IP:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$ip" >"$d/$name.ext" &&
	openssl x509 -req -in "$d/$name.csr" -CA "$d/$ca.pem" -CAkey "$d/$ca.key" -CAcreateserial \
		-days 2 -extfile "$d/$name.ext" -out "$d/$name.pem" 2>/dev/null
}

# hs_replay_up DIR HOST ADDR: Headscale's API replayed (build/tools/hs-replay, recordings of
# tests/fixtures/headscale/node.json) on lab host HOST at https://ADDR, with a CA, a server
# certificate and an API key file (0600) made in DIR; returns when it listens. The
# [headscale] section that reaches it: hs_replay_conf DIR ADDR. Needs tests/lab/lib.sh.
hs_replay_up() {
	local d=$1 host=$2 addr=$3
	pki_ca "$d" ca && pki_cert "$d" ca hs "$addr" || return 1
	printf 'hskey-test-%s-0123456789\n' "$host" >"$d/key" && chmod 600 "$d/key"
	mkdir -p "$d/hs" && cp "$FIXTURES/headscale/node.json" "$d/hs/" || return 1
	lab_daemon "$host" hs "$TOP/build/tools/hs-replay" --listen "$addr:443" --cert "$d/hs.pem" \
		--key "$d/hs.key" --api-key-file "$d/key" --dir "$d/hs"
	lab_poll 5 grep -q ready "$LAB_DIR/hs.out"
}
hs_replay_conf() {
	printf '[headscale]\nurl = https://%s\napi_key_file = %s/key\nca_file = %s/ca.pem\n' "$2" "$1" "$1"
}
