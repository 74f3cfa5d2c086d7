/* SPDX-License-Identifier: MIT */
/* holdfd: holds one file open and acts on that one descriptor when told, for the tests that
 * ask what an application holding a file open on an NFS mount sees across a failover
 * (tests/ceph/vm-failover.sh, run in the VM's guest). Built for the tests only.
 *
 *   holdfd FILE FIFO LOG
 *
 * Opens FILE (O_RDWR | O_CREAT | O_TRUNC, 0644) once, then reads commands from FIFO, one a
 * line (FIFO opened read-write, so it never sees end of file):
 *   write TEXT   write(2) TEXT and a newline at the end of the file (the descriptor's offset)
 *   fsync        fsync(2) of the descriptor
 *   read         pread(2) of the whole file from offset 0; the bytes go to LOG.data
 *   quit         exit 0 (the descriptor closed by exit)
 * Every command appends two lines to LOG (write(2) with O_APPEND, no buffering, so a reader
 * sees the first while the call is still blocked):
 *   N begin CMD
 *   N ok MS [BYTES]      or      N err ERRNO_NAME MS
 * N counts the commands from 1, MS is the call's duration in milliseconds (CLOCK_MONOTONIC).
 * The open itself is command 0 ("0 begin open", "0 ok MS"). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1;

static void logf_(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (write(log_fd, buf, (size_t)n) < 0)
		exit(3);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void done(unsigned n, long long t0, long r, int err)
{
	if (r < 0)
		logf_("%u err %s %lld\n", n, strerrorname_np(err) ? strerrorname_np(err) : "?",
		      now_ms() - t0);
	else
		logf_("%u ok %lld %ld\n", n, now_ms() - t0, r);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: holdfd FILE FIFO LOG\n");
		return 64;
	}
	log_fd = open(argv[3], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log_fd < 0) {
		fprintf(stderr, "holdfd: %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	char data_path[4096];
	snprintf(data_path, sizeof(data_path), "%s.data", argv[3]);
	FILE *in = fopen(argv[2], "r+");
	if (!in) {
		fprintf(stderr, "holdfd: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	logf_("0 begin open\n");
	long long t0 = now_ms();
	int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	done(0, t0, fd < 0 ? -1 : 0, errno);
	if (fd < 0)
		return 1;

	char line[1024];
	for (unsigned n = 1; fgets(line, sizeof(line), in); n++) {
		line[strcspn(line, "\n")] = '\0';
		logf_("%u begin %s\n", n, line);
		t0 = now_ms();
		long r;
		if (strncmp(line, "write ", 6) == 0) {
			char buf[1100];
			int len = snprintf(buf, sizeof(buf), "%s\n", line + 6);
			r = write(fd, buf, (size_t)len);
		} else if (strcmp(line, "fsync") == 0) {
			r = fsync(fd);
		} else if (strcmp(line, "read") == 0) {
			static char buf[1 << 16];
			r = pread(fd, buf, sizeof(buf), 0);
			int e = errno;
			if (r >= 0) {
				int d = open(data_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
				if (d < 0 || write(d, buf, (size_t)r) != r)
					exit(3);
				close(d);
			}
			errno = e;
		} else if (strcmp(line, "quit") == 0) {
			done(n, t0, 0, 0);
			return 0;
		} else {
			r = -1;
			errno = EINVAL;
		}
		done(n, t0, r, errno);
	}
	return 2;
}
