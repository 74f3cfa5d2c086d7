/* SPDX-License-Identifier: MIT */
/* ICMP echo sockets (net/echo.h). */
#include "net/echo.h"

#include "core/util.h"
#include "format/icmp.h"
#include "net/net.h"
#include "net/net_private.h"

#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

/* linux/icmp.h's ICMP_FILTER (that header clashes with netinet/ip_icmp.h): a raw ICMP
 * socket's mask of the types it does not want. */
#define ECHO_ICMP_FILTER 1

int echo_open(struct echo *e, const struct netaddr *dst, bool df)
{
	struct sockaddr_storage to, me;
	socklen_t tolen = net_sockaddr(dst, 0, &to), len;
	bool v6 = dst->family == AF_INET6;
	int fam = v6 ? AF_INET6 : AF_INET, proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	int fd, mtu = 0, pmtu = v6 ? IPV6_PMTUDISC_DO : IP_PMTUDISC_DO, r;

	*e = (struct echo){ .fd = -1, .v6 = v6 };
	if (!tolen)
		return -EAFNOSUPPORT;
	fd = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0 && (errno == EACCES || errno == EPERM || errno == EPROTONOSUPPORT)) {
		fd = socket(fam, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
		if (fd >= 0 && v6) {
			struct icmp6_filter f6;
			ICMP6_FILTER_SETBLOCKALL(&f6);
			ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f6);
			setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f6, sizeof(f6));
			e->raw = true;
		} else if (fd >= 0) {
			/* Only echo replies reach this socket (ICMP_FILTER: bits of types dropped). */
			uint32_t f = ~(1u << ICMP_ECHOREPLY);
			setsockopt(fd, SOL_RAW, ECHO_ICMP_FILTER, &f, sizeof(f));
			e->raw = true;
		}
	}
	if (fd < 0)
		return -errno;
	if ((df && setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
			      v6 ? IPV6_MTU_DISCOVER : IP_MTU_DISCOVER, &pmtu, sizeof(pmtu)) < 0) ||
	    connect(fd, (struct sockaddr *)&to, tolen) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	len = sizeof(mtu);
	if (getsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MTU : IP_MTU, &mtu, &len) == 0 &&
	    mtu > 0)
		e->mtu = mtu;
	if (e->raw) {
		uint16_t rnd;
		if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
			rnd = (uint16_t)(getpid() ^ (uintptr_t)e);
		e->id = rnd;
	} else {
		len = sizeof(me);
		if (getsockname(fd, (struct sockaddr *)&me, &len) == 0)
			e->id = ntohs(v6 ? ((struct sockaddr_in6 *)&me)->sin6_port
					 : ((struct sockaddr_in *)&me)->sin_port);
	}
	e->fd = fd;
	return 0;
}

void echo_close(struct echo *e)
{
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
}

int echo_send(const struct echo *e, uint16_t seq, size_t ip_len)
{
	uint8_t buf[ECHO_MAX_IP];
	size_t n;

	size_t hdr = echo_ip_header(e);

	if (ip_len < hdr + ICMP_ECHO_HEADER || ip_len > sizeof(buf))
		return -EINVAL;
	n = e->v6 ? icmp6_echo_build(buf, sizeof(buf), e->id, seq, ip_len - hdr)
		  : icmp_echo_build(buf, sizeof(buf), e->id, seq, ip_len - hdr);
	if (!n)
		return -EINVAL;
	if (send(e->fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

int echo_drain(const struct echo *e, void (*got)(uint16_t seq, void *data), void *data)
{
	uint8_t buf[ECHO_MAX_IP];
	int count = 0;

	for (int i = 0; i < 256; i++) {
		uint16_t id, seq;
		ssize_t n = recv(e->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			/* An ICMP error queued on the socket (a lost echo's): not a reply. */
			if (errno == EHOSTUNREACH || errno == ENETUNREACH || errno == EMSGSIZE ||
			    errno == ECONNREFUSED)
				continue;
			return count ? count : -errno;
		}
		/* An ICMPv6 socket, raw or not, returns no IP header. */
		if ((e->v6 ? icmp6_echo_reply_parse(buf, (size_t)n, &id, &seq)
			   : icmp_echo_reply_parse(buf, (size_t)n, e->raw, &id, &seq)) < 0)
			continue;
		/* An unprivileged socket only sees its own replies; a raw one all of them. */
		if (e->raw && id != e->id)
			continue;
		count++;
		got(seq, data);
	}
	return count;
}
