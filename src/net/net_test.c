/* SPDX-License-Identifier: MIT */
/* net_resolve at its deadline, against a DNS server of the test's own that answers late: in a
 * child with private mount and network namespaces (root), /etc/resolv.conf names 127.0.0.1,
 * where a UDP socket of the test takes the queries. */
#include "core/test.h"
#include "net/net.h"

#include <dlfcn.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sanitizer/asan_interface.h>

/* Every request net_resolve hands glibc, seen on its way (this definition comes before
 * libc's for the code linked into the test): ASan can then tell whether it was freed. glibc's
 * helper thread is not instrumented, so its write into a freed request would pass unseen. */
static struct gaicb *last_request;

int getaddrinfo_a(int mode, struct gaicb *list[], int n, struct sigevent *sev)
{
	int (*real)(int, struct gaicb *[], int, struct sigevent *) = dlsym(RTLD_NEXT, "getaddrinfo_a");

	last_request = n > 0 ? list[0] : NULL;
	return real(mode, list, n, sev);
}

static bool lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	_cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return false;
	ifr.ifr_flags |= IFF_UP;
	return ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
}

/* Answers each query that comes within ms with NXDOMAIN (the query, its QR, RA and RCODE 3
 * set); returns how many. */
static int answer_nxdomain(int fd, int ms)
{
	int n = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (poll(&p, 1, ms) > 0) {
		unsigned char q[512];
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t k = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &flen);
		if (k < 12)
			continue;
		q[2] |= 0x80;
		q[3] = (unsigned char)((q[3] & 0xf0) | 0x80 | 3);
		if (sendto(fd, q, (size_t)k, 0, (struct sockaddr *)&from, flen) == k)
			n++;
	}
	return n;
}

/* In the child: private mount and network namespaces, /etc/resolv.conf bound to conf, and a
 * UDP socket at 127.0.0.1:53 for the test's DNS server. Returns it, or minus the child's exit
 * status (10: no namespaces here, 11: no socket). */
static int dns_namespace(const char *conf)
{
	if (unshare(CLONE_NEWNS | CLONE_NEWNET) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(conf, "/etc/resolv.conf", NULL, MS_BIND, NULL) < 0 || !lo_up())
		return -10;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(53),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -11;
	return fd;
}

/* Runs child(conf) in a forked child, conf a resolv.conf naming 127.0.0.1 (glibc waits up to
 * 5 s for an answer); skips without root or namespaces, fails unless the child exits 0. */
static void in_dns_child(int (*child)(const char *conf))
{
	char conf[] = "/tmp/meshnfs-resolv.XXXXXX";
	int fd = mkstemp(conf);

	if (geteuid() != 0)
		skip();
	assert_true(fd >= 0);
	const char *text = "nameserver 127.0.0.1\noptions timeout:5 attempts:1\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child(conf)); /* _exit: a request left behind is no leak report */
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	unlink(conf);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 10)
		skip(); /* no namespaces here (a container without CAP_SYS_ADMIN) */
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("child: %s %d", WIFEXITED(st) ? "exit" : "signal",
			 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

/* The child: returns its exit status (0 when all held). */
static int late_answer_child(const char *conf)
{
	char err[256];
	struct netaddr a;

	int fd = dns_namespace(conf);
	if (fd < 0)
		return -fd;
	/* Nothing answers within 1 s: the request is given up, its helper thread still busy. */
	if (net_resolve("meshnfs-test.example", 1000, &a, err, sizeof(err)) != -ETIMEDOUT)
		return 12;
	if (!strstr(err, "took longer than 1000 ms"))
		return 13;
	/* A query came: the helper thread sent it and waits for the answer, so it still has the
	 * request, which must still be allocated. (No query yet, on a very loaded machine: the
	 * request may have been cancelled before it started, and freed rightly.) */
	struct pollfd pending = { .fd = fd, .events = POLLIN };
	if (poll(&pending, 1, 0) == 1 && (!last_request || __asan_address_is_poisoned(last_request)))
		return 15;
	/* Now the answers come: the helper thread writes its result into the request and ends. */
	if (answer_nxdomain(fd, 1500) < 1)
		return 14;
	usleep(300 * 1000); /* the helper's last writes, before the namespaces go */
	close(fd);
	return 0;
}

/* Mutation run 3: net.c's `c == EAI_CANCELED || c == EAI_ALLDONE` made `c != EAI_ALLDONE`
 * freed a request glibc's helper thread was still working on (EAI_NOTCANCELED); no test gave
 * the resolver a deadline it missed. */
static void late_dns_answer_after_the_deadline(void **state)
{
	(void)state;
	/* timeout:5: glibc's own wait outlasts the answers, so the late one is what ends it. */
	in_dns_child(late_answer_child);
}

/* Answers the queries that come within ms: an A query with 100.64.0.7, any other (AAAA)
 * with no record (NOERROR, no answer); returns how many. */
static int answer_a(int fd, int ms)
{
	int n = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (poll(&p, 1, ms) > 0) {
		unsigned char q[512 + 16];
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t k = recvfrom(fd, q, 512, 0, (struct sockaddr *)&from, &flen);
		size_t at = 12;
		if (k < 12)
			continue;
		while (at < (size_t)k && q[at])
			at += 1 + q[at];
		if (at + 5 > (size_t)k)
			continue;
		bool a = q[at + 1] == 0 && q[at + 2] == 1; /* QTYPE A */
		k = (ssize_t)at + 5;                          /* the question, and nothing after it */
		q[2] |= 0x80;
		q[3] = (unsigned char)((q[3] & 0xf0) | 0x80);
		q[6] = 0;
		q[7] = a;
		q[8] = q[9] = q[10] = q[11] = 0;
		if (a) {
			static const unsigned char rr[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4,
							    100, 64, 0, 7 };
			memcpy(q + k, rr, sizeof(rr));
			k += (ssize_t)sizeof(rr);
		}
		if (sendto(fd, q, (size_t)k, 0, (struct sockaddr *)&from, flen) == k)
			n++;
	}
	return n;
}

/* The child: returns its exit status (0 when all held). */
static int answer_child(const char *conf)
{
	char err[256];
	struct netaddr a = { 0 };

	int fd = dns_namespace(conf);
	if (fd < 0)
		return -fd;
	pid_t server = fork();
	if (server < 0)
		return 12;
	if (server == 0)
		_exit(answer_a(fd, TEST_FAR_DEADLINE_MS) > 0 ? 0 : 1);
	close(fd);
	int r = net_resolve("meshnfs-test.example", TEST_FAR_DEADLINE_MS, &a, err, sizeof(err));
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	if (r != 0)
		return 13;
	return a.family == AF_INET && a.v4 == (100u << 24 | 64u << 16 | 7u) ? 0 : 14;
}

/* A name the DNS server answers at once is resolved, whatever time is left (mutation run 10:
 * the wait loop's `gai_error(...) == EAI_INPROGRESS` negated skipped the wait for a request
 * still in flight and reported every DNS name "took longer than" its deadline; the only test
 * was the one whose answer comes too late). */
static void dns_answer_within_the_deadline(void **state)
{
	(void)state;
	in_dns_child(answer_child);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(late_dns_answer_after_the_deadline),
		cmocka_unit_test(dns_answer_within_the_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
