# shellcheck shell=bash
# Certificates for tests that need TLS (the Headscale replay): a private CA and server
# certificates made at test time with Debian's openssl, valid two days, never installed.

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
