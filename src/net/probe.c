/* SPDX-License-Identifier: MIT */
/* The ladder's state machine. libnfs is used through its async API only: the callbacks just
 * record the result (cb_*), and probe_advance() acts on it after nfs_service()/rpc_service()
 * returned, so a context is never destroyed from inside one of its own callbacks. */
#include "net/probe.h"

#include "format/icmp.h"
#include "format/rpc.h"
#include "net/net.h"
#include "net/net_private.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
/* libnfs needs sys/time.h first. */
#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs4.h>

#define PROBE_PORT 2049
/* A write as large as a real one: 64 KiB, many full-size packets (an MTU black hole stalls
 * it; 10 KB in 3900-byte chunks may slip through on a path that drops only the largest). */
#define PROBE_FILE_SIZE 65536
/* libnfs 4.0.0 fails NFSv4 writes of ~4000 bytes and more (NOTES.md). */
#define PROBE_CHUNK 3900

void probe_init(struct probe *p, const struct probe_opts *o)
{
	*p = (struct probe){
		.host = xstrdup(o->host),
		.export_path = o->export_path ? xstrdup(o->export_path) : NULL,
		.addr = o->addr,
		.mesh = o->mesh,
		.mesh6 = o->mesh6,
		.port = o->port ? o->port : PROBE_PORT,
		.step_ms = o->step_ms > 0 ? o->step_ms : 5000,
		.no_write = o->no_write,
		.gate = o->gate,
		.patient = o->patient,
		.fd = -1,
		.diagnosis = PROBE_PENDING,
		.uid = geteuid(),
	};
	p->total_ms = o->total_ms > 0 ? o->total_ms : 2 * p->step_ms;
	/* No IPv6 range given: the tailnet's own. */
	if (!p->mesh6.prefix)
		cidr6_parse(TAILNET_RANGE6, true, &p->mesh6);
	for (int i = 0; i < PROBE_N_STEPS; i++)
		p->steps[i] = (struct probe_step){ .status = STEP_SKIP, .ms = -1 };
}

static void echo_release(struct probe *p)
{
	if (p->has_echo)
		echo_close(&p->echo);
	p->has_echo = false;
}

static void release(struct probe *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	echo_release(p);
	/* Pending callbacks fire (cancelled) during destroy: they see PS_DONE or a cleared
	 * context and record nothing that matters. */
	if (p->nfs)
		nfs_destroy_context(p->nfs);
	p->nfs = NULL;
	p->fh = NULL;
	free(p->wbuf);
	free(p->rbuf);
	free(p->lookup);
	p->wbuf = p->rbuf = p->lookup = NULL;
}

void probe_free(struct probe *p)
{
	if (p->in_gate)
		p->gate->active--;
	p->state = PS_DONE;
	release(p);
	for (int i = 0; i < PROBE_N_STEPS; i++)
		free(p->steps[i].detail);
	free(p->host);
	free(p->export_path);
	free(p->fname);
	free(p->tsmp);
	*p = (struct probe){ .fd = -1 };
}

static void vset_detail(struct probe_step *s, const char *fmt, va_list ap)
{
	char *d;

	if (vasprintf(&d, fmt, ap) < 0)
		abort();
	free(s->detail);
	s->detail = d;
}

static void set_detail(struct probe_step *s, const char *fmt, ...) _printf_(2, 3);
static void set_detail(struct probe_step *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset_detail(s, fmt, ap);
	va_end(ap);
}

static void begin_step(struct probe *p, enum probe_step_id id, int64_t now)
{
	p->step = id;
	p->t_step = now;
	p->step_deadline = now + p->step_ms;
}

/* Ends the running step with status and detail. */
static void end_step(struct probe *p, enum probe_step_status st, int64_t now, const char *fmt, ...)
	_printf_(4, 5);
static void end_step(struct probe *p, enum probe_step_status st, int64_t now, const char *fmt, ...)
{
	struct probe_step *s = &p->steps[p->step];
	va_list ap;

	va_start(ap, fmt);
	vset_detail(s, fmt, ap);
	va_end(ap);
	s->status = st;
	s->ms = now - p->t_step;
}

static void gate_enter(struct probe *p)
{
	if (p->gate && !p->in_gate) {
		p->gate->active++;
		p->in_gate = true;
	}
}

static void gate_leave(struct probe *p)
{
	if (p->in_gate) {
		p->gate->active--;
		p->in_gate = false;
	}
}

static void finish(struct probe *p, enum probe_diagnosis d, int64_t now)
{
	/* A short probe's answered connection outlives it until its caller has decided
	 * (rpc_done; probe_let_go). */
	int keep = d == PROBE_OK && p->held ? p->fd : -1;

	if (keep >= 0)
		p->fd = -1;
	p->held = false;
	gate_leave(p);
	p->state = PS_DONE;
	p->diagnosis = d;
	p->ms = now - p->t_start;
	release(p);
	p->fd = keep;
}

void probe_let_go(struct probe *p)
{
	if (p->state == PS_DONE && p->fd >= 0) {
		close(p->fd);
		p->fd = -1;
	}
}

/* A step that could not even start here (no descriptor left, no memory): nothing was learnt
 * about the server, so no verdict. */
static void cut_here(struct probe *p, int64_t now, const char *what, const char *err)
{
	end_step(p, STEP_WARN, now, "%s: %s (on this machine: no verdict)", what, err);
	p->cut = true;
	finish(p, PROBE_CUT, now);
}

static const char *msg_or(const struct probe *p, const char *fallback)
{
	return p->cb_msg[0] ? p->cb_msg : fallback;
}

static void copy_msg(struct probe *p, const char *m)
{
	snprintf(p->cb_msg, sizeof(p->cb_msg), "%s", m ? m : "");
}

/* --- libnfs callbacks: record, nothing else --- */

static void on_nfs(int err, struct nfs_context *nfs, void *data, void *priv)
{
	struct probe *p = priv;

	(void)nfs;
	if (p->state == PS_DONE)
		return;
	p->cb_fired = true;
	p->cb_err = err;
	copy_msg(p, err < 0 ? data : NULL);
	if (err < 0 || !data)
		return;
	switch (p->state) {
	case PS_CREATE:
		p->fh = data;
		break;
	case PS_STAT:
		p->cb_uid = ((const struct nfs_stat_64 *)data)->nfs_uid;
		break;
	case PS_READ:
		if (p->off + (size_t)err <= p->len)
			memcpy(p->rbuf + p->off, data, (size_t)err);
		else
			p->cb_err = -EOVERFLOW;
		break;
	default:
		break;
	}
}

/* --- the steps --- */

static void addr_str(const struct netaddr *a, char *buf, size_t size)
{
	netaddr_format(a, buf, size);
}

/* "ADDR:PORT", "[ADDR]:PORT" for IPv6. */
#define HOSTPORT_LEN (NETADDR_STRLEN + 8)
static void hostport(const struct probe *p, char *buf, size_t size)
{
	char a[NETADDR_STRLEN];

	addr_str(&p->addr, a, sizeof(a));
	snprintf(buf, size, p->addr.family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, (unsigned)p->port);
}

static double secs(int ms)
{
	return ms / 1000.0;
}

static void start_rpc(struct probe *p, int64_t now);
static void rpc_io(struct probe *p, short revents, int64_t now);
static void rpc_connected(struct probe *p, int err, int64_t now);
static void start_export(struct probe *p, int64_t now);
static void start_lookup(struct probe *p, int64_t now);
static void lookup_reply(struct probe *p, const struct rpc_lookup_reply *r, int64_t now);
static void lookup_fallback(struct probe *p, int64_t now);
static void lookup_send(struct probe *p, int64_t now);
static void lookup_connected(struct probe *p, int err, int64_t now);
static void mount_reply(struct probe *p, int64_t now);
static void fill_random(uint8_t *b, size_t n);
static void start_write(struct probe *p, int64_t now);
static void cleanup_write(struct probe *p, enum probe_diagnosis d, int64_t now);

static void step_route(struct probe *p, int64_t now)
{
	char src[NETADDR_STRLEN], dst[NETADDR_STRLEN], range[64];
	struct netaddr s;
	int r;

	begin_step(p, PROBE_ROUTE, now);
	addr_str(&p->addr, dst, sizeof(dst));
	if (p->addr.family == AF_INET6)
		cidr6_format(&p->mesh6, range, sizeof(range));
	else
		cidr_format(&p->mesh, range, sizeof(range));
	r = net_route_source(&p->addr, p->port, &s);
	if (r < 0) {
		end_step(p, STEP_FAIL, now_ms(), "no route to %s: %s", dst, strerror(-r));
		finish(p, PROBE_UNREACHABLE, now_ms());
		return;
	}
	p->source = s;
	p->source_in_mesh = netaddr_in_mesh(&s, &p->mesh, &p->mesh6);
	addr_str(&s, src, sizeof(src));
	if (p->source_in_mesh)
		end_step(p, STEP_OK, now_ms(), "%s -> %s, from a mesh address (%s)", src, dst,
			 range);
	else
		end_step(p, STEP_WARN, now_ms(),
			 "%s -> %s: the route leaves from %s, outside the mesh range %s", src, dst,
			 src, range);
}

/* --- evidence below TCP: ICMP --- */

#define ECHO_SEQ_ALIVE 1
#define ECHO_SEQ_LADDER 0x100

/* With the SYN: one small echo, whose answer (read when the SYN goes unanswered) says the
 * peer is alive. No socket for it is no evidence, never a cut. */
static void tcp_echo(struct probe *p)
{
	p->echo_answered = false;
	if (p->has_echo)
		return;
	if (echo_open(&p->echo, &p->addr, false) < 0) {
		p->echo_failed = true;
		return;
	}
	p->has_echo = true;
	if (echo_send(&p->echo, ECHO_SEQ_ALIVE, 64 + echo_ip_header(&p->echo) - 20) < 0) {
		p->echo_failed = true;
		echo_release(p);
	}
}

static void got_alive(uint16_t seq, void *data)
{
	struct probe *p = data;
	if (seq == ECHO_SEQ_ALIVE)
		p->echo_answered = true;
}

/* The SYN went unanswered: did the echo sent with it come back? */
static bool alive_by_echo(struct probe *p)
{
	if (p->has_echo && !p->echo_answered)
		echo_drain(&p->echo, got_alive, p);
	echo_release(p);
	return p->echo_answered;
}

/* The SYN was answered by an ICMP error (IP_RECVERR queued it on the socket): a reject by a
 * packet filter (admin-prohibited, port unreachable: a closed port answers with a reset,
 * never that), or the peer itself saying unreachable. Fills p->icmp_*; true when it is a
 * reject. */
static bool rejected_by_icmp(struct probe *p)
{
	uint8_t data[256], ctl[512];
	struct sockaddr_storage from;
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
			    .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	bool v6 = p->addr.family == AF_INET6;

	if (p->fd < 0 || recvmsg(p->fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return false;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (v6 ? c->cmsg_level != SOL_IPV6 || c->cmsg_type != IPV6_RECVERR
		       : c->cmsg_level != SOL_IP || c->cmsg_type != IP_RECVERR)
			continue;
		struct sock_extended_err ee;
		memcpy(&ee, CMSG_DATA(c), sizeof(ee));
		if (ee.ee_origin != (v6 ? SO_EE_ORIGIN_ICMP6 : SO_EE_ORIGIN_ICMP) ||
		    ee.ee_type != (v6 ? ICMP6_DST_UNREACH : ICMP_DEST_UNREACH))
			continue;
		/* SO_EE_OFFENDER: the sender's address after the struct. */
		size_t room = c->cmsg_len - (size_t)((const uint8_t *)CMSG_DATA(c) - (const uint8_t *)c);
		struct netaddr by = { 0 };
		if (room > sizeof(ee))
			by = net_from_sockaddr((const uint8_t *)CMSG_DATA(c) + sizeof(ee),
					       (socklen_t)(room - sizeof(ee)));
		if (!icmp_unreach_is_reject(v6, ee.ee_code, netaddr_eq(&by, &p->addr)))
			return false;
		p->icmp_type = ee.ee_type;
		p->icmp_code = ee.ee_code;
		p->icmp_from = by;
		return true;
	}
	return false;
}

/* An ICMP destination-unreachable code in words. */
static const char *icmp_code_words(uint8_t code)
{
	static const char *const words[] = {
		[ICMP_HOST_UNREACH] = "host unreachable",
		[ICMP_PORT_UNREACH] = "port unreachable",
		[ICMP_NET_ANO] = "network administratively prohibited",
		[ICMP_HOST_ANO] = "host administratively prohibited",
		[ICMP_PKT_FILTERED] = "communication administratively prohibited",
	};
	return ENUM_NAME(words, code, "destination unreachable");
}

/* An ICMPv6 destination-unreachable code in words (RFC 4443). */
static const char *icmp6_code_words(uint8_t code)
{
	static const char *const words[] = {
		[ICMP6_DST_UNREACH_ADMIN] = "communication administratively prohibited",
		[ICMP6_DST_UNREACH_ADDR] = "address unreachable",
		[ICMP6_DST_UNREACH_NOPORT] = "port unreachable",
		[5] = "source address failed ingress/egress policy",
		[6] = "reject route to destination",
	};
	return ENUM_NAME(words, code, "destination unreachable");
}

/* The SYN unanswered within the step's bound or the loop's judgement (why): filtered when
 * the peer answered the echo, else unreachable. */
static void tcp_unanswered(struct probe *p, int64_t now, double s, const char *why)
{
	char dst[NETADDR_STRLEN], hp[HOSTPORT_LEN];

	addr_str(&p->addr, dst, sizeof(dst));
	hostport(p, hp, sizeof(hp));
	if (alive_by_echo(p)) {
		p->filter = PROBE_FILTER_ECHO;
		end_step(p, STEP_FAIL, now,
			 "%s: no answer to the connection request within %.1f s (%s), but %s "
			 "answers ICMP%s echo: TCP to port %u is dropped on the way",
			 hp, s, why, dst, p->addr.family == AF_INET6 ? "v6" : "", (unsigned)p->port);
		finish(p, PROBE_FILTERED, now);
		return;
	}
	end_step(p, STEP_FAIL, now,
		 "%s: no answer to the connection request within %.1f s (%s): packets to %s are "
		 "dropped on the way%s",
		 hp, s, why, dst, p->echo_failed ? " (no ICMP echo could be sent from here: "
			"whether the peer is alive was not asked)" : "");
	finish(p, PROBE_UNREACHABLE, now);
}

static void tcp_result(struct probe *p, int err, int64_t now)
{
	char hp[HOSTPORT_LEN];
	int off = 0;

	hostport(p, hp, sizeof(hp));
	if (err == 0) {
		struct tcp_info ti;
		/* Connected: ICMP errors go back to being soft for this connection. */
		if (p->addr.family == AF_INET6)
			setsockopt(p->fd, SOL_IPV6, IPV6_RECVERR, &off, sizeof(off));
		else
			setsockopt(p->fd, SOL_IP, IP_RECVERR, &off, sizeof(off));
		echo_release(p);
		socklen_t tl = sizeof(ti);
		if (getsockopt(p->fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0)
			p->rtt_us = ti.tcpi_rtt;
		end_step(p, STEP_OK, now, "%s accepts TCP connections", hp);
		if (p->gate && p->gate->active >= p->gate->max) {
			/* No turn for the NULL call: hold no connection while waiting. */
			p->gate->waited++;
			close(p->fd);
			p->fd = -1;
			p->state = PS_RPC_WAIT;
			p->step = PROBE_RPC;
			p->t_step = now;
			p->step_deadline = p->deadline;
			return;
		}
		start_rpc(p, now);
		return;
	}
	if (rejected_by_icmp(p)) {
		char by[NETADDR_STRLEN];
		addr_str(&p->icmp_from, by, sizeof(by));
		close(p->fd);
		p->fd = -1;
		p->filter = PROBE_FILTER_REJECT;
		end_step(p, STEP_FAIL, now,
			 "%s: the connection request was rejected: ICMP%s %s (type %u code %u) "
			 "from %s%s",
			 hp, p->addr.family == AF_INET6 ? "v6" : "",
			 p->addr.family == AF_INET6 ? icmp6_code_words(p->icmp_code)
						    : icmp_code_words(p->icmp_code),
			 p->icmp_type, p->icmp_code, by[0] ? by : "an unknown sender",
			 netaddr_eq(&p->icmp_from, &p->addr) ? ", the server itself" : "");
		finish(p, PROBE_FILTERED, now);
		return;
	}
	close(p->fd);
	p->fd = -1;
	end_step(p, STEP_FAIL, now, "%s: %s", hp, strerror(err));
	finish(p, err == ECONNREFUSED ? PROBE_REFUSED : PROBE_UNREACHABLE, now);
}

/* A new non-blocking socket in p->fd and its SYN to the server; done(p, err, now) at once
 * when connect(2) already has its answer (0 or an errno), else the poll loop calls it. No
 * socket: the step is cut (a local shortage says nothing about the server). */
static void open_connection(struct probe *p, int64_t now,
			    void (*done)(struct probe *p, int err, int64_t now))
{
	struct sockaddr_storage to;
	socklen_t tolen = net_sockaddr(&p->addr, p->port, &to);
	int on = 1;

	p->fd = socket(p->addr.family == AF_INET6 ? AF_INET6 : AF_INET,
		       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0) {
		int e = errno;
		cut_here(p, now, "socket", strerror(e));
		return;
	}
	/* An ICMP error for the SYN is queued with who sent it and why (rejected_by_icmp). */
	if (p->addr.family == AF_INET6)
		setsockopt(p->fd, SOL_IPV6, IPV6_RECVERR, &on, sizeof(on));
	else
		setsockopt(p->fd, SOL_IP, IP_RECVERR, &on, sizeof(on));
	if (connect(p->fd, (struct sockaddr *)&to, tolen) == 0)
		done(p, 0, now_ms());
	else if (errno != EINPROGRESS)
		done(p, errno, now_ms());
}

/* A new socket and its SYN (the step's start and bound stay). */
static void tcp_connect(struct probe *p, int64_t now)
{
	open_connection(p, now, tcp_result);
}

static void step_tcp(struct probe *p, int64_t now)
{
	begin_step(p, PROBE_TCP, now);
	p->state = PS_TCP;
	p->resent = p->learnt = false;
	p->resent_ms = 0; /* with resent: nothing of an earlier TCP step is kept */
	tcp_echo(p);
	tcp_connect(p, now);
}

void probe_resend(struct probe *p, int64_t now)
{
	if (p->state != PS_TCP || p->resent)
		return;
	close(p->fd);
	p->fd = -1;
	p->resent = true;
	p->resent_ms = now - p->t_step;
	tcp_connect(p, now);
}

static uint32_t new_xid(void)
{
	uint8_t x[4];

	fill_random(x, sizeof(x));
	return (uint32_t)x[0] << 24 | (uint32_t)x[1] << 16 | (uint32_t)x[2] << 8 | x[3];
}

/* The NFSv4 NULL call, on the connection the tcp step opened (format/rpc.h): no second
 * connection, no portmapper. */
static void rpc_send(struct probe *p, int64_t now)
{
	p->state = PS_RPC_NULL;
	p->xid = new_xid();
	rpc_null_call(p->call, p->xid, NFS4_PROGRAM, NFS_V4);
	p->off = 0;
	p->len = 0;
	p->rbuf = xmalloc(RPC_REPLY_MAX);
	rpc_io(p, POLLOUT, now);
}

static void start_rpc(struct probe *p, int64_t now)
{
	begin_step(p, PROBE_RPC, now);
	gate_enter(p);
	rpc_send(p, now);
}

void probe_rpc_resume(struct probe *p, int64_t now)
{
	if (p->state != PS_RPC_WAIT)
		return;
	begin_step(p, PROBE_RPC, now);
	gate_enter(p);
	p->state = PS_RPC_CONNECT;
	open_connection(p, now, rpc_connected);
}

/* A later connection to the port failed after an earlier exchange had worked. */
static void connection_failed(struct probe *p, int err, int64_t now, const char *earlier,
			      const char *which)
{
	end_step(p, STEP_FAIL, now,
		 "port %u %s, but %s failed: %s: the NFS service is not accepting connections",
		 (unsigned)p->port, earlier, which, strerror(err));
	finish(p, PROBE_NO_NFS_ANSWER, now);
}

/* The rpc step's own connection (after a wait for a turn) is up, or failed. */
static void rpc_connected(struct probe *p, int err, int64_t now)
{
	if (err == 0)
		rpc_send(p, now);
	else
		connection_failed(p, err, now, "accepted the tcp step's connection", "the next one");
}

/* The NULL call's reply is in: the NFS service answers (or says why not). */
static void rpc_done(struct probe *p, const struct rpc_reply *r, int64_t now)
{
	char what[96];
	/* Without the write test the export is looked up on this connection, in this turn. */
	bool lookup = r->kind == RPC_REPLY_SUCCESS && p->export_path && p->no_write;
	/* A short probe of status --no-write (gated, no export yet): the connection stays open
	 * past the end, so a whole ladder started at once looks the export up on it (probe_extend)
	 * instead of opening another; out of the NULL call's turn either way. */
	bool hold = r->kind == RPC_REPLY_SUCCESS && !p->export_path && p->no_write && p->gate;

	if (hold) {
		gate_leave(p);
		p->held = true;
	} else if (!lookup) {
		close(p->fd);
		p->fd = -1;
		gate_leave(p);
	}
	free(p->rbuf);
	p->rbuf = NULL;
	p->len = p->off = 0;
	if (r->kind != RPC_REPLY_SUCCESS) {
		rpc_reply_format(r, what, sizeof(what));
		end_step(p, STEP_FAIL, now,
			 "port %u answers RPC, but the NFSv4 NULL call (program 100003 v4) failed: "
			 "%s",
			 (unsigned)p->port, what);
		finish(p, PROBE_NO_NFS_ANSWER, now);
		return;
	}
	end_step(p, STEP_OK, now, "the NFSv4 service answers (NULL call, program 100003 v4)");
	if (!p->export_path) {
		finish(p, PROBE_OK, now);
		return;
	}
	if (lookup)
		start_lookup(p, now);
	else
		start_export(p, now);
}

/* Writes the rest of the call, reads what came of the reply, acts on a whole one. */
static void rpc_io(struct probe *p, short revents, int64_t now)
{
	char from[HOSTPORT_LEN];
	struct rpc_reply r;
	struct diag d = { 0 };
	ssize_t n;
	bool lk = p->state == PS_LOOKUP;
	const uint8_t *out = lk ? p->lookup : p->call;
	size_t out_len = lk ? p->lookup_len : RPC_NULL_CALL_SIZE;

	if (p->off < out_len && (revents & (POLLOUT | POLLERR | POLLHUP))) {
		n = send(p->fd, out + p->off, out_len - p->off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			goto broken;
		if (n > 0)
			p->off += (size_t)n;
		return;
	}
	if (p->off < out_len || !(revents & (POLLIN | POLLERR | POLLHUP)))
		return;
	n = recv(p->fd, p->rbuf + p->len, (lk ? RPC_LOOKUP_REPLY_MAX : RPC_REPLY_MAX) - p->len,
		 MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0)
		goto broken;
	p->len += (size_t)n;
	hostport(p, from, sizeof(from));
	if (lk) {
		struct rpc_lookup_reply lr;
		int lrc = rpc_lookup_reply_parse(from, p->rbuf, p->len, p->xid, &lr, &d);
		if (lrc == -EAGAIN)
			return;
		/* Not understood: libnfs's mount decides, as with the write test. */
		if (lrc < 0)
			lookup_fallback(p, now);
		else
			lookup_reply(p, &lr, now);
		return;
	}
	int rc = rpc_null_reply_parse(from, p->rbuf, p->len, p->xid, &r, &d);
	if (rc == -EAGAIN)
		return;
	if (rc < 0) {
		end_step(p, STEP_FAIL, now, "port %u answers, but not as an NFS server: %s",
			 (unsigned)p->port, d.msg);
		finish(p, PROBE_NO_NFS_ANSWER, now);
		return;
	}
	rpc_done(p, &r, now);
	return;
broken:
	if (lk) {
		int e = n == 0 ? 0 : errno;
		end_step(p, STEP_FAIL, now,
			 "the connection %s before an answer to the lookup of %s: the NFS service is "
			 "not answering",
			 e ? strerror(e) : "was closed", p->export_path);
		finish(p, PROBE_NO_NFS_ANSWER, now);
		return;
	}
	if (p->gate && !p->rpc_retried) {
		/* Closed unanswered: a server over its connection limit does that (ganesha beyond
		 * RPC_Max_Connections). Once more, on a new connection, at the next turn. */
		close(p->fd);
		p->fd = -1;
		free(p->rbuf);
		p->rbuf = NULL;
		gate_leave(p);
		p->rpc_retried = true;
		p->state = PS_RPC_WAIT;
		p->t_step = now;
		p->step_deadline = p->deadline;
		return;
	}
	{
		int e = n == 0 ? 0 : errno;
		end_step(p, STEP_FAIL, now,
			 "TCP accepted, but the connection %s before an answer to the NFSv4 NULL "
			 "call: the NFS service is not answering",
			 e ? strerror(e) : "was closed");
		finish(p, PROBE_NO_NFS_ANSWER, now);
	}
}

/* The export step without the write test: PUTROOTFH, LOOKUPs, GETATTR, GETFH as one COMPOUND
 * on the rpc step's connection, in its turn (format/rpc.h). */
static void start_lookup(struct probe *p, int64_t now)
{
	begin_step(p, PROBE_EXPORT, now);
	lookup_send(p, now);
}

/* After probe_extend: the lookup on a connection of its own (the NULL call was answered on
 * the short probe's, closed since). */
static void start_lookup_connect(struct probe *p, int64_t now)
{
	begin_step(p, PROBE_EXPORT, now);
	p->state = PS_LOOKUP_CONNECT;
	open_connection(p, now, lookup_connected);
}

static void lookup_connected(struct probe *p, int err, int64_t now)
{
	if (err == 0)
		lookup_send(p, now);
	else
		connection_failed(p, err, now, "answered the NFSv4 NULL call",
				  "the export step's connection");
}

static void lookup_send(struct probe *p, int64_t now)
{
	p->xid = new_xid();
	p->lookup = xmalloc(RPC_LOOKUP_CALL_MAX);
	if (rpc_lookup_call(p->lookup, RPC_LOOKUP_CALL_MAX, p->xid, p->export_path, (uint32_t)p->uid,
			    (uint32_t)getegid(), &p->lookup_len) < 0) {
		/* A path one COMPOUND does not carry: libnfs's mount. */
		lookup_fallback(p, now);
		return;
	}
	p->state = PS_LOOKUP;
	p->off = p->len = 0;
	p->rbuf = xmalloc(RPC_LOOKUP_REPLY_MAX);
	rpc_io(p, POLLOUT, now);
}

/* What the lookup alone does not settle as libnfs's mount would (a symlink on the way, which
 * libnfs follows; an RPC-level refusal; a status other than the export's absence or a denial;
 * a reply not understood) goes to libnfs's mount, on a new connection, out of the turn. */
static void lookup_fallback(struct probe *p, int64_t now)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	gate_leave(p);
	free(p->lookup);
	free(p->rbuf);
	p->lookup = p->rbuf = NULL;
	p->len = p->off = 0;
	start_export(p, now);
}

static const char *nfs4_op_name(uint32_t op)
{
	switch (op) {
	case 9:
		return "GETATTR";
	case 10:
		return "GETFH";
	case 15:
		return "LOOKUP";
	case 24:
		return "PUTROOTFH";
	default:
		return "COMPOUND";
	}
}

static void lookup_reply(struct probe *p, const struct rpc_lookup_reply *r, int64_t now)
{
	/* NFS4ERR_* and NF4LNK: libnfs-raw-nfs4.h's constants (RFC 7530's values) */
	if (r->rpc.kind != RPC_REPLY_SUCCESS || (r->status == 0 && r->type == NF4LNK) ||
	    (r->status != 0 && r->status != NFS4ERR_NOENT && r->status != NFS4ERR_ACCESS &&
	     r->status != NFS4ERR_PERM && r->status != NFS4ERR_WRONGSEC)) {
		lookup_fallback(p, now);
		return;
	}
	p->cb_err = r->status == 0		  ? 0
		    : r->status == NFS4ERR_NOENT  ? -ENOENT
		    : r->status == NFS4ERR_PERM	  ? -EPERM
						  : -EACCES;
	p->cb_msg[0] = '\0';
	if (r->status)
		snprintf(p->cb_msg, sizeof(p->cb_msg), "NFS4: (path %s) %s failed with %s",
			 p->export_path, nfs4_op_name(r->failed_op), rpc_nfs4_status_name(r->status));
	mount_reply(p, now);
}

static void start_export(struct probe *p, int64_t now)
{
	char dst[NETADDR_STRLEN];

	begin_step(p, PROBE_EXPORT, now);
	/* libnfs 4.0.0 hands the server string to getaddrinfo: an IPv6 literal without brackets. */
	addr_str(&p->addr, dst, sizeof(dst));
	p->state = PS_MOUNT;
	p->nfs = nfs_init_context();
	if (!p->nfs) {
		/* No libnfs on this machine, or no memory: no verdict on the server either way. */
		const char *missing = nfs_lazy_missing();
		cut_here(p, now, "cannot create an NFS context", missing ? missing : strerror(ENOMEM));
		return;
	}
	nfs_set_version(p->nfs, NFS_V4);
	nfs_set_autoreconnect(p->nfs, 0);
	/* Each probe is an NFSv4 client of its own: libnfs names every context of a process
	 * alike, and concurrent mounts of one server under one client id trample each other's
	 * state on the server (status probing several addresses of one server at once). */
	uint8_t rnd[8];
	char id[64];
	fill_random(rnd, sizeof(rnd));
	snprintf(id, sizeof(id), "meshnfs-probe %d %02x%02x%02x%02x%02x%02x%02x%02x", (int)getpid(),
		 rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	nfs4_set_client_name(p->nfs, id);
	nfs4_set_verifier(p->nfs, (const char *)rnd);
	p->cb_fired = false;
	if (nfs_mount_async(p->nfs, dst, p->export_path, on_nfs, p) < 0) {
		const char *e = nfs_get_error(p->nfs);
		cut_here(p, now, "cannot start the mount", e ? e : "libnfs error");
	}
}

static void mount_reply(struct probe *p, int64_t now)
{
	if (p->cb_err < 0) {
		enum probe_diagnosis d = probe_classify_nfs_error(p->cb_err, p->cb_msg, true);
		char src[NETADDR_STRLEN];
		addr_str(&p->source, src, sizeof(src));
		if (d == PROBE_EXPORT_DENIED_OR_MISSING)
			end_step(p, STEP_FAIL, now,
				 "%s: not found (%s): either the server exports no such path, or it "
				 "does not allow this client (%s) and hides the export from it",
				 p->export_path, msg_or(p, strerror(-p->cb_err)), src);
		else
			end_step(p, STEP_FAIL, now, "mounting %s failed: %s", p->export_path,
				 msg_or(p, strerror(-p->cb_err)));
		finish(p, d, now);
		return;
	}
	end_step(p, STEP_OK, now, "%s is exported to this client (%s)", p->export_path,
		 p->nfs ? "NFSv4 mount" : "NFSv4 lookup from the root, no client state");
	if (p->no_write) {
		finish(p, PROBE_OK, now);
		return;
	}
	start_write(p, now);
}

static void fill_random(uint8_t *b, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = getrandom(b + got, n - got, GRND_NONBLOCK);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	/* Not for secrecy: a pattern the server cannot have by chance. */
	for (uint32_t x = (uint32_t)now_ms() ^ (uint32_t)getpid(); got < n; got++) {
		x = x * 1103515245u + 12345u;
		b[got] = (uint8_t)(x >> 16);
	}
}

/* With the write: DF-set echoes of growing sizes up to the route's MTU, read when the write
 * step ends (ladder_read): which sizes the path carries. */
static void ladder_send(struct probe *p)
{
	static const uint16_t sizes[] = { 128,  576,  1000, 1100, 1200, 1232, 1280,
					  1340, 1400, 1420, 1480, 1500, 9000 };
	struct probe_ladder *l = &p->ladder;

	*l = (struct probe_ladder){ 0 };
	if (echo_open(&p->echo, &p->addr, true) < 0)
		return;
	p->has_echo = true;
	l->mtu = p->echo.mtu;
	int top = l->mtu > 0 ? (l->mtu < ECHO_MAX_IP ? l->mtu : ECHO_MAX_IP) : 1500;
	for (size_t i = 0; i < ARRAY_SIZE(sizes) && sizes[i] < top; i++)
		l->size[l->n++] = sizes[i];
	if (l->n < PROBE_LADDER_MAX)
		l->size[l->n++] = (uint16_t)top; /* the route's MTU itself: a full-size packet */
	for (size_t i = 0; i < l->n; i++)
		if (echo_send(&p->echo, (uint16_t)(ECHO_SEQ_LADDER + i), l->size[i]) < 0)
			l->size[i] = 0; /* refused here (beyond the MTU): not sent */
}

static void got_ladder(uint16_t seq, void *data)
{
	struct probe *p = data;
	size_t i = (size_t)seq - ECHO_SEQ_LADDER;
	if (seq >= ECHO_SEQ_LADDER && i < p->ladder.n)
		p->ladder.answered[i] = true;
}

/* Reads the ladder's answers; true when it shows a black hole: the smallest size came back,
 * the largest did not. */
static bool ladder_read(struct probe *p)
{
	struct probe_ladder *l = &p->ladder;

	if (!p->has_echo || l->n == 0)
		return false;
	echo_drain(&p->echo, got_ladder, p);
	echo_release(p);
	l->read = true;
	for (size_t i = 0; i < l->n; i++)
		if (l->size[i] && l->answered[i] && l->size[i] > l->passed)
			l->passed = l->size[i];
	for (size_t i = 0; i < l->n; i++)
		if (l->size[i] && !l->answered[i] && l->size[i] > l->passed &&
		    (!l->lost || l->size[i] < l->lost))
			l->lost = l->size[i];
	size_t last = l->n;
	while (last > 0 && !l->size[last - 1])
		last--;
	return l->size[0] && l->answered[0] && last > 0 && !l->answered[last - 1] && l->lost;
}

static void start_write(struct probe *p, int64_t now)
{
	char host[64] = "host";
	uint8_t rnd[4];

	begin_step(p, PROBE_WRITE, now);
	gethostname(host, sizeof(host) - 1);
	for (char *c = host; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') &&
		    !(*c >= '0' && *c <= '9') && *c != '-')
			*c = '_';
	fill_random(rnd, sizeof(rnd));
	free(p->fname);
	p->fname = xasprintf("/.meshnfs-probe-%s-%d-%02x%02x%02x%02x", host, (int)getpid(), rnd[0],
			     rnd[1], rnd[2], rnd[3]);
	p->len = PROBE_FILE_SIZE;
	p->wbuf = xmalloc(p->len);
	p->rbuf = xcalloc(1, p->len);
	fill_random(p->wbuf, p->len);
	p->state = PS_CREATE;
	p->cb_fired = false;
	ladder_send(p);
	if (nfs_create_async(p->nfs, p->fname, O_RDWR | O_EXCL, 0644, on_nfs, p) < 0) {
		const char *e = nfs_get_error(p->nfs);
		end_step(p, STEP_FAIL, now, "cannot start the create: %s", e ? e : "libnfs error");
		finish(p, PROBE_WRITE_FAILED, now);
	}
}

/* Queues the next call of the write test for the current state; false when libnfs refused
 * to queue it. */
static bool write_issue(struct probe *p)
{
	size_t n = p->len - p->off < PROBE_CHUNK ? p->len - p->off : PROBE_CHUNK;

	p->cb_fired = false;
	p->cb_msg[0] = '\0';
	switch (p->state) {
	case PS_WRITE:
		return nfs_pwrite_async(p->nfs, p->fh, p->off, n, p->wbuf + p->off, on_nfs, p) == 0;
	case PS_FSYNC:
		return nfs_fsync_async(p->nfs, p->fh, on_nfs, p) == 0;
	case PS_READ:
		return nfs_pread_async(p->nfs, p->fh, p->off, n, on_nfs, p) == 0;
	case PS_STAT:
		return nfs_fstat64_async(p->nfs, p->fh, on_nfs, p) == 0;
	case PS_CLOSE:
		return nfs_close_async(p->nfs, p->fh, on_nfs, p) == 0;
	case PS_UNLINK:
		return nfs_unlink_async(p->nfs, p->fname, on_nfs, p) == 0;
	default:
		return false;
	}
}

static void write_goto(struct probe *p, enum probe_state s, int64_t now)
{
	p->state = s;
	if (!write_issue(p)) {
		const char *e = nfs_get_error(p->nfs);
		if (p->cleaning) {
			finish(p, p->cleanup_diag, now);
			return;
		}
		if (s == PS_CLOSE || s == PS_UNLINK) {
			end_step(p, STEP_WARN, now, "wrote and read back %zu bytes, but cannot remove "
				 "%s: %s", p->len, p->fname, e ? e : "libnfs error");
			finish(p, PROBE_OK, now);
			return;
		}
		end_step(p, STEP_FAIL, now, "cannot queue the next call: %s", e ? e : "libnfs error");
		cleanup_write(p, PROBE_WRITE_FAILED, now);
	}
}

/* After a failure with the file created: close and remove it, then finish with d. */
static void cleanup_write(struct probe *p, enum probe_diagnosis d, int64_t now)
{
	p->cleaning = true;
	p->cleanup_diag = d;
	if (!p->created) {
		finish(p, d, now);
		return;
	}
	write_goto(p, p->fh ? PS_CLOSE : PS_UNLINK, now);
}

static void write_fail(struct probe *p, const char *what, int64_t now)
{
	enum probe_diagnosis d = probe_classify_nfs_error(p->cb_err, p->cb_msg, false);

	end_step(p, STEP_FAIL, now, "%s %s failed: %s", what, p->fname,
		 msg_or(p, strerror(-p->cb_err)));
	cleanup_write(p, d, now);
}

static void ownership_result(struct probe *p, int64_t now)
{
	struct probe_step *s = &p->steps[PROBE_OWNERSHIP];

	s->ms = p->owner_ms;
	if (p->cb_err < 0) {
		s->status = STEP_WARN;
		set_detail(s, "cannot read the test file's owner: %s", msg_or(p, strerror(-p->cb_err)));
		return;
	}
	p->owner = p->cb_uid;
	p->owner_known = true;
	if (p->owner == p->uid && p->uid == 0) {
		s->status = STEP_OK;
		set_detail(s, "a file created by root is owned by uid 0: no root squash");
	} else if (p->owner == p->uid) {
		s->status = STEP_OK;
		set_detail(s, "a file created by uid %" PRIu64 " is owned by it (run as root to test "
			      "root squash)", p->uid);
	} else if (p->uid == 0) {
		s->status = STEP_WARN;
		set_detail(s, "root is squashed: a file created by root is owned by uid %" PRIu64
			      " (the anonymous id)%s", p->owner,
			   probe_owner_is_nobody(p->owner)
				   ? "; if the export does not squash root, this is nobody: ID "
				     "mapping failed (see ids.idmap)"
				   : "");
	} else if (probe_owner_is_nobody(p->owner)) {
		s->status = STEP_WARN;
		set_detail(s, "a file created by uid %" PRIu64 " is owned by nobody (%" PRIu64
			      "): %s", p->uid, p->owner, probe_idmap_why);
	} else {
		s->status = STEP_WARN;
		set_detail(s, "a file created by uid %" PRIu64 " is owned by uid %" PRIu64
			      " (all_squash or id mapping on the server)", p->uid, p->owner);
	}
	(void)now;
}

/* A pwrite or pread reply: advances the offset, or ends the step (false). */
static bool transfer_reply(struct probe *p, const char *what, const char *zero_msg, int64_t now)
{
	if (p->cb_err <= 0) {
		if (p->cb_err == 0) {
			p->cb_err = -EIO;
			copy_msg(p, zero_msg);
		}
		write_fail(p, what, now);
		return false;
	}
	p->off += (size_t)p->cb_err;
	return true;
}

static void write_reply(struct probe *p, int64_t now)
{
	int err = p->cb_err;

	switch (p->state) {
	case PS_CREATE:
		if (err < 0 || !p->fh) {
			write_fail(p, "creating", now);
			return;
		}
		p->created = true;
		p->off = 0;
		write_goto(p, PS_WRITE, now);
		return;
	case PS_WRITE:
		if (!transfer_reply(p, "writing", "the server wrote 0 bytes", now))
			return;
		write_goto(p, p->off < p->len ? PS_WRITE : PS_FSYNC, now);
		return;
	case PS_FSYNC:
		if (err < 0) {
			write_fail(p, "syncing", now);
			return;
		}
		p->off = 0;
		write_goto(p, PS_READ, now);
		return;
	case PS_READ:
		if (!transfer_reply(p, "reading back", "the file is shorter than what was written", now))
			return;
		if (p->off < p->len) {
			write_goto(p, PS_READ, now);
			return;
		}
		if (memcmp(p->wbuf, p->rbuf, p->len) != 0) {
			size_t i = 0;
			while (p->wbuf[i] == p->rbuf[i])
				i++;
			end_step(p, STEP_FAIL, now, "%s reads back different data from byte %zu on",
				 p->fname, i);
			cleanup_write(p, PROBE_WRITE_FAILED, now);
			return;
		}
		p->owner_ms = now;
		write_goto(p, PS_STAT, now);
		return;
	case PS_STAT:
		p->owner_ms = now - p->owner_ms;
		ownership_result(p, now);
		write_goto(p, PS_CLOSE, now);
		return;
	case PS_CLOSE:
		p->fh = NULL; /* freed by libnfs whatever the result */
		write_goto(p, PS_UNLINK, now);
		return;
	case PS_UNLINK:
		if (p->cleaning) {
			struct probe_step *s = &p->steps[PROBE_WRITE];
			if (err < 0)
				set_detail(s, "%s; the test file %s is left behind (%s)", s->detail,
					   p->fname, msg_or(p, strerror(-err)));
			finish(p, p->cleanup_diag, now);
			return;
		}
		if (err < 0)
			end_step(p, STEP_WARN, now,
				 "wrote, synced and read back %zu bytes, but cannot remove %s: %s", p->len,
				 p->fname, msg_or(p, strerror(-err)));
		else
			end_step(p, STEP_OK, now,
				 "created, wrote, synced, read back and removed a %zu-byte file", p->len);
		p->steps[PROBE_WRITE].ms -= p->owner_ms;
		finish(p, PROBE_OK, now);
		return;
	default:
		return;
	}
}

/* --- driving --- */

_Static_assert(sizeof(((struct probe *)0)->call) == RPC_NULL_CALL_SIZE, "the NULL call's size");

void probe_extend(struct probe *p, const char *export_path, int total_ms)
{
	free(p->export_path);
	p->export_path = xstrdup(export_path);
	p->total_ms = total_ms > 0 ? total_ms : 2 * p->step_ms;
	p->diagnosis = PROBE_PENDING;
	p->state = PS_IDLE;
	p->extended = true;
}

void probe_start(struct probe *p, int64_t now)
{
	if (p->extended) {
		/* On from the export step; the time before it counts, the wait for it not. */
		p->extended = false;
		p->t_start = now - p->ms;
		p->deadline = now + p->total_ms;
		if (p->no_write && p->fd >= 0)
			start_lookup(p, now); /* on the short probe's connection, still open */
		else if (p->no_write)
			start_lookup_connect(p, now);
		else
			start_export(p, now);
		probe_advance(p, 0, now_ms());
		return;
	}
	p->t_start = now;
	p->deadline = now + p->total_ms;
	step_route(p, now);
	if (p->state == PS_DONE)
		return;
	step_tcp(p, now_ms());
	/* A refused or instant connect may already have moved on; act on any callback. */
	probe_advance(p, 0, now_ms());
}

int probe_poll(const struct probe *p, short *events)
{
	int fd = -1, ev = 0;

	switch (p->state) {
	case PS_TCP:
		fd = p->fd;
		ev = POLLOUT;
		break;
	case PS_RPC_NULL:
		fd = p->fd;
		ev = p->off < RPC_NULL_CALL_SIZE ? POLLOUT : POLLIN;
		break;
	case PS_LOOKUP:
		fd = p->fd;
		ev = p->off < p->lookup_len ? POLLOUT : POLLIN;
		break;
	case PS_RPC_CONNECT:
	case PS_LOOKUP_CONNECT:
		fd = p->fd;
		ev = POLLOUT;
		break;
	case PS_IDLE:
	case PS_DONE:
	case PS_RPC_WAIT:
		break;
	default:
		fd = nfs_get_fd(p->nfs);
		ev = nfs_which_events(p->nfs);
		break;
	}
	*events = (short)ev;
	return fd;
}

int64_t probe_deadline(const struct probe *p)
{
	return p->step_deadline < p->deadline ? p->step_deadline : p->deadline;
}

/* What the running step was waiting for, for a cut's words. */
static const char *awaited(const struct probe *p)
{
	switch (p->state) {
	case PS_TCP:
		return "no answer yet to the connection request";
	case PS_RPC_NULL:
		return "no answer yet to the NFSv4 NULL call";
	case PS_RPC_WAIT:
		return "TCP accepted; the NFSv4 NULL call was still waiting for its turn (NFS "
		       "conversations at once are bounded)";
	case PS_RPC_CONNECT:
		return "no answer yet to the rpc step's connection";
	case PS_MOUNT:
		return "no answer yet to the mount";
	case PS_LOOKUP:
		return "no answer yet to the export's lookup";
	case PS_LOOKUP_CONNECT:
		return "no answer yet to the export step's connection";
	default:
		return "the write test had not finished";
	}
}

/* The running step ran out of time. Only a step that had all of its own bound gets a verdict
 * (cut false); a step ended earlier by the whole probe's bound or the run's (cut true) says
 * nothing about the server: PROBE_CUT. */
static void timeout(struct probe *p, int64_t now, bool cut, const char *why)
{
	char dst[NETADDR_STRLEN], hp[HOSTPORT_LEN];
	enum probe_diagnosis d;
	/* The bound that expired, not the time the loop took to notice it (later on a busy
	 * machine): the message says "within the deadline". */
	int64_t bound = probe_deadline(p) - p->t_step;
	double s = secs((int)(bound > 0 && bound < now - p->t_step ? bound : now - p->t_step));

	addr_str(&p->addr, dst, sizeof(dst));
	hostport(p, hp, sizeof(hp));
	if (p->cleaning) {
		/* The verdict came from the failure that started the cleanup. */
		struct probe_step *st = &p->steps[PROBE_WRITE];
		set_detail(st, "%s; the server stopped answering while removing %s (%s)", st->detail,
			   p->fname, why);
		finish(p, p->cleanup_diag, now);
		return;
	}
	if (cut) {
		char own[64] = "";
		if (now - p->t_step < p->step_ms)
			snprintf(own, sizeof(own), ", before the step's own %.1f s", secs(p->step_ms));
		end_step(p, STEP_WARN, now, "%s: cut after %.1f s (%s)%s: %s%s%s (no verdict)", hp,
			 secs((int)(now - p->t_step)), why, own, awaited(p),
			 p->created ? "; left behind: " : "", p->created ? p->fname : "");
		p->cut = true;
		finish(p, PROBE_CUT, now);
		return;
	}
	switch (p->state) {
	case PS_TCP:
		tcp_unanswered(p, now, s, why);
		return;
	case PS_RPC_NULL:
		end_step(p, STEP_FAIL, now,
			 "TCP accepted, but no answer to the NFSv4 NULL call within %.1f s (%s): the "
			 "NFS service is not answering",
			 s, why);
		d = PROBE_NO_NFS_ANSWER;
		break;
	case PS_RPC_CONNECT:
	case PS_LOOKUP_CONNECT: {
		bool rpc = p->state == PS_RPC_CONNECT;
		end_step(p, STEP_FAIL, now,
			 "port %u %s, but not %s within %.1f s (%s): the NFS service is not accepting "
			 "connections",
			 (unsigned)p->port,
			 rpc ? "accepted the tcp step's connection" : "answered the NFSv4 NULL call",
			 rpc ? "the next one" : "the export step's connection", s, why);
		d = PROBE_NO_NFS_ANSWER;
		break;
	}
	case PS_MOUNT:
	case PS_LOOKUP:
		end_step(p, STEP_FAIL, now, "no answer to the %s of %s within %.1f s (%s)",
			 p->state == PS_MOUNT ? "mount" : "lookup", p->export_path, s, why);
		d = PROBE_NO_NFS_ANSWER;
		break;
	default:
		if (ladder_read(p)) {
			const struct probe_ladder *l = &p->ladder;
			end_step(p, STEP_FAIL, now,
				 "the %zu-byte write stalled at byte %zu (%.1f s, %s), while DF-set ICMP "
				 "echoes to %s of up to %d bytes came back and of %d bytes and more did "
				 "not (the route's MTU: %d)%s%s",
				 p->len, p->state == PS_WRITE ? p->off : p->len, s, why, dst, l->passed,
				 l->lost, l->mtu, p->created ? "; left behind: " : "",
				 p->created ? p->fname : "");
			d = PROBE_MTU_BLACKHOLE;
			break;
		}
		end_step(p, STEP_FAIL, now,
			 "the server stopped answering during the write test (%.1f s, %s)%s%s%s", s, why,
			 p->created ? "; left behind: " : "", p->created ? p->fname : "",
			 p->ladder.read && p->ladder.passed && !p->ladder.lost
				 ? "; the path carries full-size packets (DF-set ICMP echoes answered up "
				   "to the route's MTU)"
				 : "");
		d = PROBE_NO_NFS_ANSWER;
		break;
	}
	finish(p, d, now);
}

void probe_abort(struct probe *p, int64_t now, const char *why)
{
	if (p->state != PS_DONE && p->state != PS_IDLE)
		timeout(p, now, true, why);
}

void probe_give_up(struct probe *p, int64_t now, const char *why)
{
	if (p->state != PS_TCP)
		return;
	tcp_unanswered(p, now, secs((int)(now - p->t_step)), why);
}

/* A non-blocking connect's outcome: -1 while it is still on its way, else 0 or an errno. */
static int connect_outcome(const struct probe *p, short revents)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
		return -1;
	if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	return err;
}

static void service(struct probe *p, short revents, int64_t now)
{
	int r = 0;

	switch (p->state) {
	case PS_TCP:
		if ((r = connect_outcome(p, revents)) >= 0)
			tcp_result(p, r, now);
		return;
	case PS_RPC_NULL:
	case PS_LOOKUP:
		rpc_io(p, revents, now);
		return;
	case PS_RPC_CONNECT:
		if ((r = connect_outcome(p, revents)) >= 0)
			rpc_connected(p, r, now);
		return;
	case PS_LOOKUP_CONNECT:
		if ((r = connect_outcome(p, revents)) >= 0)
			lookup_connected(p, r, now);
		return;
	case PS_IDLE:
	case PS_DONE:
	case PS_RPC_WAIT:
		return;
	default:
		r = nfs_service(p->nfs, revents);
		if (r < 0 && !p->cb_fired) {
			p->cb_fired = true;
			p->cb_err = -ECONNRESET;
			copy_msg(p, nfs_get_error(p->nfs));
		}
		return;
	}
}

void probe_advance(struct probe *p, short revents, int64_t now)
{
	if (p->state == PS_DONE || p->state == PS_IDLE)
		return;
	if (revents)
		service(p, revents, now);
	while (p->cb_fired && p->state != PS_DONE) {
		p->cb_fired = false;
		switch (p->state) {
		case PS_MOUNT:
			mount_reply(p, now);
			break;
		case PS_TCP:
			break;
		default:
			write_reply(p, now);
			break;
		}
	}
	if (p->state != PS_DONE && now >= probe_deadline(p)) {
		/* The whole probe's bound first: a cut; the step's own (also when both end
		 * together): the step had all of its time, a verdict. */
		bool cut = p->deadline < p->step_deadline || p->state == PS_RPC_WAIT;
		timeout(p, now, cut, cut ? "the probe's deadline" : "the step's deadline");
	}
}
