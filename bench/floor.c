/* SPDX-License-Identifier: MIT */
/* The protocol floor of `meshnfs probe`'s ladder: the least libnfs (sync API) sequence doing
 * the same work (mount the export over NFSv4, create a file, write 65536 bytes in 3900-byte
 * calls, fsync, read them back, compare, remove), and nothing else. Prints the milliseconds
 * it took in-process, so the probe's "ms" can be set beside it. Built by
 * bench/probe-vs-floor.sh; not part of meshnfs.
 *   floor SERVER EXPORT */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
/* libnfs needs sys/time.h first. */
#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs4.h>

static double ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int die(struct nfs_context *n, const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, n ? nfs_get_error(n) : "no context");
	return 2;
}

int main(int argc, char **argv)
{
	static uint8_t w[65536], r[65536];
	char name[64];
	struct nfs_context *n;
	struct nfsfh *fh;
	double t0;

	if (argc != 3)
		return fprintf(stderr, "usage: floor SERVER EXPORT\n"), 64;
	for (size_t i = 0; i < sizeof(w); i++)
		w[i] = (uint8_t)(i * 7 + 1);
	snprintf(name, sizeof(name), "/.floor-%d", (int)getpid());
	t0 = ms();
	if (!(n = nfs_init_context()))
		return die(NULL, "init");
	nfs_set_version(n, NFS_V4);
	nfs_set_timeout(n, 5000);
	if (nfs_mount(n, argv[1], argv[2]) < 0)
		return die(n, "mount");
	if (nfs_create(n, name, O_RDWR | O_EXCL, 0644, &fh) < 0)
		return die(n, "create");
	for (size_t off = 0; off < sizeof(w); off += 3900) {
		size_t len = sizeof(w) - off < 3900 ? sizeof(w) - off : 3900;
		if (nfs_pwrite(n, fh, off, len, w + off) != (int)len)
			return die(n, "write");
	}
	if (nfs_fsync(n, fh) < 0)
		return die(n, "fsync");
	for (size_t off = 0; off < sizeof(r); off += 3900) {
		size_t len = sizeof(r) - off < 3900 ? sizeof(r) - off : 3900;
		if (nfs_pread(n, fh, off, len, r + off) != (int)len)
			return die(n, "read");
	}
	if (memcmp(w, r, sizeof(w)) != 0)
		return fprintf(stderr, "floor: read back different data\n"), 2;
	nfs_close(n, fh);
	if (nfs_unlink(n, name) < 0)
		return die(n, "unlink");
	printf("%.1f\n", ms() - t0);
	nfs_destroy_context(n);
	return 0;
}
