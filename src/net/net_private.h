/* SPDX-License-Identifier: MIT */
/* Inside the net module only (its files and their unit tests);
 * other modules use its public headers. */
#pragma once

#include "net/silence.h"
#include "net/probe.h"
#include "net/net.h"
#include "net/echo.h"

/* Opens e to dst (IPv4 or IPv6). df: IP_PMTUDISC_DO (IPV6_PMTUDISC_DO), so a packet beyond the
 * route's MTU is refused here rather than fragmented. Returns 0 or a negative errno (e->fd
 * -1). */
int echo_open(struct echo *e, const struct netaddr *dst, bool df);
void echo_close(struct echo *e);

/* The IP header of e's packets: 20 (IPv4) or 40 (IPv6) bytes. */
static inline size_t echo_ip_header(const struct echo *e) { return e->v6 ? 40 : 20; }

/* Sends one echo request whose IP packet is ip_len bytes (>= header + 8). 0 or a negative errno
 * (-EMSGSIZE: beyond the route's MTU). */
int echo_send(const struct echo *e, uint16_t seq, size_t ip_len);

/* Reads every echo reply waiting, calling got(seq, data) for each of this socket's; never
 * blocks. Returns the number of replies of this socket read, or a negative errno. */
int echo_drain(const struct echo *e, void (*got)(uint16_t seq, void *data), void *data);

/* From net/net.h: only net/ uses these. */
/* The local address the kernel would use to reach dst:port (a UDP socket connected, no
 * packet sent). Returns 0, or a negative errno: -ENETUNREACH when there is no route. */
int net_route_source(const struct netaddr *dst, uint16_t port, struct netaddr *src);

/* dst:port as a socket address (sockaddr_in or sockaddr_in6) in ss; returns its length, 0 when
 * dst holds no address. */
socklen_t net_sockaddr(const struct netaddr *dst, uint16_t port, struct sockaddr_storage *ss);

/* The address of a socket address (IPv4, IPv6); family 0 for anything else. */
struct netaddr net_from_sockaddr(const void *sa, socklen_t len);

/* From net/probe.h: only net/ uses these. */
/* "none", "icmp_echo", "tsmp", "icmp_reject". */
const char *probe_filter_name(enum probe_filter f);

/* Runs the route step and starts the TCP connect. Never blocks. */
void probe_start(struct probe *p, int64_t now);

/* The descriptor to poll and its events, or -1 when there is none right now (then only the
 * deadline matters). */
int probe_poll(const struct probe *p, short *events);

/* The absolute time (now_ms clock) by which probe_advance must be called. */
int64_t probe_deadline(const struct probe *p);

/* Reacts to revents on probe_poll's descriptor (0 when woken by the deadline). */
void probe_advance(struct probe *p, short revents, int64_t now);

/* A probe still waiting for its TCP connection sends its SYN again, now, on a new socket (as
 * a scanner resends once the round trips it has seen say an answer is overdue, rather than
 * after Linux's 1 s); once per step. The step's start and bound stay. */
void probe_resend(struct probe *p, int64_t now);

/* Ends a probe still waiting for its TCP connection as unreachable, now, before the step's
 * own bound: the caller judged from what the network said (the SYN and its resend
 * unanswered while other addresses answered fast) that no answer will come. why completes
 * "no answer to the connection request within X s". */
void probe_give_up(struct probe *p, int64_t now, const char *why);

/* A finished probe's connection kept for probe_extend (a gated short probe without the write
 * test keeps the NULL call's) is closed: the loop calls it when its done hook did not re-arm
 * the probe at once. */
void probe_let_go(struct probe *p);

/* Accepted, waiting for a turn for the NULL call (probe_gate). */
static inline bool probe_rpc_waiting(const struct probe *p) { return p->state == PS_RPC_WAIT; }

/* Its turn: the rpc step starts, on a new connection. */
void probe_rpc_resume(struct probe *p, int64_t now);

/* The TCP step is running (a SYN is out, no answer yet). */
static inline bool probe_connecting(const struct probe *p) { return p->state == PS_TCP; }

/* An initialised probe whose host name did not resolve (err says why, t0 when resolving
 * began): the route step failed, diagnosis unreachable, done. */
void probe_unresolved(struct probe *p, int64_t t0, const char *err);

/* probe_loop starts new probes PROBE_LOOP_BURST at a time, PROBE_LOOP_BURST_GAP_MS apart (4000
 * a second; more when the run's deadline needs it: all started in its first quarter). Each
 * sends a SYN and an ICMP echo at once, and a burst the path cannot take is lost on the way,
 * which the silence rule then rightly reads as a lossy path (no verdict on silent addresses).
 * Measured with bench/status-vs-nmap.sh (2026-12-07, quiet machine, 1000 addresses behind
 * wireguard-go): all at once, c1's tun queue dropped 429-551 packets and the server's
 * wireguard-go socket 380 more, a fifth to a third of the first SYNs needed a resend, and the
 * 399 silent addresses were cut in every run; 128 every 4 ms, still cut; 16 every 4 ms (and 8
 * every 2 ms), nothing dropped, all 1000 verdicts right in 0.78 s against nmap -T4's 1.15 s. */
#define PROBE_LOOP_BURST 16
#define PROBE_LOOP_BURST_GAP_MS 4

/* Why libnfs cannot be loaded (net/nfs_lazy.c), or NULL when it is. */
const char *nfs_lazy_missing(void);

/* From net/silence.h: only net/ uses these. */
/* The round trip an answer after connect_ms means: the time since the last SYN sent before
 * it (0, 1, 3, 7, 15, ... s). */
int64_t silence_rtt(int64_t connect_ms);

/* An address answered its connection request after connect_ms (as the poll loop saw it);
 * rtt_ms: the kernel's own measure of that handshake's round trip (TCP_INFO), or -1 when there
 * is none (a refusal). The kernel's is preferred: a busy loop notices answers late, which would
 * only make the wait longer, never wrong. */
void silence_answer(struct silence *s, int64_t connect_ms, int64_t rtt_ms);

/* The same for an answer that came only after a SYN was sent again (one was lost). */
void silence_answer_resent(struct silence *s, int64_t connect_ms, int64_t rtt_ms);

/* The chance that a live address lost all of its syns SYNs, at the loss rate the answers show
 * (the share of them that needed a SYN sent again), is under 1 in 1000: its silence is a
 * verdict. True while nothing answered (nothing says otherwise). */
bool silence_confident(const struct silence *s, int syns);

/* What the answers say makes silence no evidence of absence for an address sent syns SYNs:
 * not silence_confident, or four of the slowest round trips do not fit in step_ms. Then it is
 * cut, not judged, at its step's bound. False while nothing answered. */
bool silence_untellable(const struct silence *s, int step_ms, int syns);

/* SYNs a connect has sent after ms on one socket: Linux resends at 1, 3, 7, 15 ... s. */
int silence_syns(int64_t ms);

/* How long after its first SYN an address that answered nothing gets its SYN again; -1 while
 * no address has answered (then nothing says how long an answer takes). */
int64_t silence_resend_after(const struct silence *s);

/* How long after its first SYN it is given up as silent (the resent SYN as overdue as the
 * first); -1 as above, or when two lost SYNs are not unlikely enough (silence_confident). */
int64_t silence_after(const struct silence *s);
