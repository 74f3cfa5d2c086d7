/* SPDX-License-Identifier: MIT */
/* ICMPv4 echo, built and parsed (format/icmp.h). Pure. */
#include "format/icmp.h"

#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <string.h>

uint16_t icmp_checksum(const uint8_t *b, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t icmp_echo_build(uint8_t *buf, size_t size, uint16_t id, uint16_t seq, size_t icmp_len)
{
	if (icmp_len < ICMP_ECHO_HEADER || icmp_len > size || icmp_len > 65535 - ICMP_IP_HEADER)
		return 0;
	buf[0] = 8; /* echo request */
	buf[1] = 0;
	buf[2] = buf[3] = 0;
	buf[4] = (uint8_t)(id >> 8);
	buf[5] = (uint8_t)id;
	buf[6] = (uint8_t)(seq >> 8);
	buf[7] = (uint8_t)seq;
	for (size_t i = ICMP_ECHO_HEADER; i < icmp_len; i++)
		buf[i] = (uint8_t)(0x20 + i % 64);
	uint16_t c = icmp_checksum(buf, icmp_len);
	buf[2] = (uint8_t)(c >> 8);
	buf[3] = (uint8_t)c;
	return icmp_len;
}

int icmp_echo_reply_parse(const uint8_t *buf, size_t len, bool with_ip, uint16_t *id,
			  uint16_t *seq)
{
	if (with_ip) {
		if (len < ICMP_IP_HEADER || buf[0] >> 4 != 4)
			return -EBADMSG;
		size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
		if (ihl < ICMP_IP_HEADER || ihl > len || buf[9] != 1 /* ICMP */)
			return -EBADMSG;
		buf += ihl;
		len -= ihl;
	}
	if (len < ICMP_ECHO_HEADER)
		return -EBADMSG;
	if (buf[0] != 0 /* echo reply */ || buf[1] != 0)
		return -ENOMSG;
	*id = (uint16_t)(buf[4] << 8 | buf[5]);
	*seq = (uint16_t)(buf[6] << 8 | buf[7]);
	return 0;
}

size_t icmp6_echo_build(uint8_t *buf, size_t size, uint16_t id, uint16_t seq, size_t icmp_len)
{
	if (icmp_len > 65535 - ICMP6_IP_HEADER || !icmp_echo_build(buf, size, id, seq, icmp_len))
		return 0;
	buf[0] = 128; /* echo request */
	buf[2] = buf[3] = 0;
	return icmp_len;
}

int icmp6_echo_reply_parse(const uint8_t *buf, size_t len, uint16_t *id, uint16_t *seq)
{
	if (len < ICMP_ECHO_HEADER)
		return -EBADMSG;
	if (buf[0] != 129 /* echo reply */ || buf[1] != 0)
		return -ENOMSG;
	*id = (uint16_t)(buf[4] << 8 | buf[5]);
	*seq = (uint16_t)(buf[6] << 8 | buf[7]);
	return 0;
}

bool icmp_unreach_is_reject(bool v6, uint8_t code, bool from_peer)
{
	if (v6)
		/* Administratively prohibited, port unreachable, source address failed
		 * ingress/egress policy, reject route to destination (RFC 4443). */
		return code == ICMP6_DST_UNREACH_ADMIN || code == ICMP6_DST_UNREACH_NOPORT ||
		       code == 5 || code == 6 || (code == ICMP6_DST_UNREACH_ADDR && from_peer);
	return code == ICMP_PORT_UNREACH || code == ICMP_NET_ANO || code == ICMP_HOST_ANO ||
	       code == ICMP_PKT_FILTERED || (code == ICMP_HOST_UNREACH && from_peer);
}
