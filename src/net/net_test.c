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

/* The child: returns its exit status (0 when all held). */
static int late_answer_child(const char *conf)
{
	char err[256];
	struct netaddr a;

	if (unshare(CLONE_NEWNS | CLONE_NEWNET) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(conf, "/etc/resolv.conf", NULL, MS_BIND, NULL) < 0 || !lo_up())
		return 10;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(53),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return 11;
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
	char conf[] = "/tmp/meshnfs-resolv.XXXXXX";
	int fd = mkstemp(conf);

	if (geteuid() != 0)
		skip();
	assert_true(fd >= 0);
	/* timeout:5: glibc's own wait outlasts the answers, so the late one is what ends it. */
	const char *text = "nameserver 127.0.0.1\noptions timeout:5 attempts:1\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(late_answer_child(conf)); /* _exit: the request left behind is no leak report */
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	unlink(conf);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 10)
		skip(); /* no namespaces here (a container without CAP_SYS_ADMIN) */
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("child: %s %d", WIFEXITED(st) ? "exit" : "signal",
			 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(late_dns_answer_after_the_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
