/* SPDX-License-Identifier: MIT */
/* ICMPv4 echo requests built, and what comes back on an ICMP socket parsed (outside input:
 * whatever the network returns); pure. The probe's evidence below TCP (net/echo.h): an echo
 * answered (the peer is alive), and a ladder of sizes (which packet sizes the path carries).
 *
 *   n = icmp_echo_build(buf, sizeof(buf), id, seq, 1200 - ICMP_IP_HEADER);
 *   ... send; recv ...
 *   if (icmp_echo_reply_parse(buf, len, raw, &id, &seq) == 0) ... */
#pragma once

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>

#define ICMP_IP_HEADER 20 /* an IPv4 header without options, as a sent echo has */
#define ICMP_ECHO_HEADER 8

/* The Internet checksum (RFC 1071) of b[0..n). */
uint16_t icmp_checksum(const uint8_t *b, size_t n);

/* An echo request with icmp_len bytes of ICMP (header and payload; >= 8) into buf: a
 * payload pattern, the checksum filled (an unprivileged ICMP socket replaces id and
 * checksum itself). Returns the length, or 0 when it does not fit in size. */
size_t icmp_echo_build(uint8_t *buf, size_t size, uint16_t id, uint16_t seq, size_t icmp_len);

/* One datagram read from an ICMP socket: with its IPv4 header first (with_ip: a raw socket)
 * or the ICMP message alone (an unprivileged ICMP socket). Returns 0 for an echo reply (id
 * and seq filled), -ENOMSG for another valid ICMP message, -EBADMSG for a datagram too short
 * or with an impossible header. */
int icmp_echo_reply_parse(const uint8_t *buf, size_t len, bool with_ip, uint16_t *id,
			  uint16_t *seq);

/* ICMPv6 (an IPv6 peer): the IPv6 header is 40 bytes, and neither an unprivileged nor a raw
 * ICMPv6 socket returns it; the kernel fills the checksum of what is sent (RFC 3542). */
#define ICMP6_IP_HEADER 40
/* An echo request (type 128) with icmp_len bytes of ICMPv6, checksum left 0 for the kernel.
 * Returns the length, or 0 when it does not fit. */
size_t icmp6_echo_build(uint8_t *buf, size_t size, uint16_t id, uint16_t seq, size_t icmp_len);
/* One datagram from an ICMPv6 socket: 0 for an echo reply (type 129; id and seq filled),
 * -ENOMSG for another ICMPv6 message, -EBADMSG for one shorter than an echo header. */
int icmp6_echo_reply_parse(const uint8_t *buf, size_t len, uint16_t *id, uint16_t *seq);

/* A destination-unreachable code (ICMP type 3, or ICMPv6 type 1 when v6) that a TCP
 * connection request drew: true when it is a reject by a packet filter (administratively
 * prohibited, port unreachable: a closed port answers with a reset, never that), or host
 * (address) unreachable sent from the peer's own address (from_peer: its firewall's "reject
 * with icmp host-unreachable"; from a router it is the path, not a filter). */
bool icmp_unreach_is_reject(bool v6, uint8_t code, bool from_peer);
