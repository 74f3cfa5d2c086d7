/* SPDX-License-Identifier: MIT */
/* hangfs: a test-only FUSE filesystem whose answers can be switched while it runs, so the
 * mount health probe meets the real kernel's behaviour on a hung, stale, failing, read-only or
 * refusing filesystem (the host kernel has no NFS client; FUSE is the real kernel path that
 * this machine has).
 *
 *   hangfs CONTROL MOUNTPOINT [FUSE options...]
 *
 * CONTROL is a file of words OP=MODE (whitespace separated), read again on every request:
 *   OP   getattr (stat of anything), readdir (opendir and readdir), create, unlink
 *   MODE ok, hang, estale, eio, erofs, eacces
 * "hang" blocks the request until CONTROL no longer says hang for that OP (then answers as
 * CONTROL says), so a test can release what it hung. An OP not named is ok. The tree is a
 * root directory holding "hello" plus whatever was created. Runs in the foreground,
 * multi-threaded, with the kernel's attribute and entry caches off so every stat reaches it.
 * Test use only: built by `make check` and `make unit` (health_test mounts it), never installed. */
#define FUSE_USE_VERSION 35
#include <errno.h>
#include <fuse.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILES 64

static const char *control;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char files[MAX_FILES][256] = { "hello" };

enum mode { M_OK, M_HANG, M_ESTALE, M_EIO, M_EROFS, M_EACCES };

static enum mode mode_of(const char *op)
{
	static const char *const names[] = { "ok", "hang", "estale", "eio", "erofs", "eacces" };
	char buf[4096], word[128];
	FILE *f = fopen(control, "re");
	size_t n = 0, oplen = strlen(op);
	enum mode m = M_OK;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	for (char *p = buf; sscanf(p, "%127s", word) == 1;) {
		p = strstr(p, word) + strlen(word);
		if (strncmp(word, op, oplen) != 0 || word[oplen] != '=')
			continue;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(word + oplen + 1, names[i]) == 0)
				m = (enum mode)i;
	}
	return m;
}

/* 0 to go on, or the negative errno to answer; blocks while the OP hangs. */
static int gate(const char *op)
{
	enum mode m;

	while ((m = mode_of(op)) == M_HANG) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	switch (m) {
	case M_ESTALE:
		return -ESTALE;
	case M_EIO:
		return -EIO;
	case M_EROFS:
		return -EROFS;
	case M_EACCES:
		return -EACCES;
	default:
		return 0;
	}
}

static int find(const char *name)
{
	for (int i = 0; i < MAX_FILES; i++)
		if (files[i][0] && strcmp(files[i], name) == 0)
			return i;
	return -1;
}

static void *hf_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->attr_timeout = 0;
	cfg->entry_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->direct_io = 1;
	/* Unlink removes the name even while the file is open. Without it, libfuse hides an
	 * open file by renaming it (there is no rename here: ENOSYS), and the kernel sends
	 * RELEASE in the background after close(), so an unlink right after a close could still
	 * find the file open: CI run 24 saw watch's write probe fail "unlink failed: Function
	 * not implemented" twice in 20 s (e2e/watch-degraded, a loaded machine). NFS's own
	 * answer to this is the silly rename, and the unlink succeeds there too. */
	cfg->hard_remove = 1;
	return NULL;
}

static int hf_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	(void)fi;
	int r = gate("getattr");
	if (r)
		return r;
	memset(st, 0, sizeof(*st));
	if (strcmp(path, "/") == 0) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	pthread_mutex_lock(&lock);
	r = find(path + 1);
	pthread_mutex_unlock(&lock);
	if (r < 0)
		return -ENOENT;
	st->st_mode = S_IFREG | 0644;
	st->st_nlink = 1;
	return 0;
}

static int hf_opendir(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	(void)fi;
	return gate("readdir");
}

static int hf_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	(void)off;
	(void)fi;
	(void)flags;
	int r = gate("readdir");
	if (r)
		return r;
	if (strcmp(path, "/") != 0)
		return -ENOTDIR;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_FILES; i++)
		if (files[i][0])
			fill(buf, files[i], NULL, 0, 0);
	pthread_mutex_unlock(&lock);
	return 0;
}

static int hf_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)mode;
	(void)fi;
	int r = gate("create");
	if (r)
		return r;
	if (strlen(path + 1) >= sizeof(files[0]) || strchr(path + 1, '/'))
		return -ENAMETOOLONG;
	pthread_mutex_lock(&lock);
	r = -ENOSPC;
	if (find(path + 1) >= 0)
		r = -EEXIST;
	for (int i = 0; r == -ENOSPC && i < MAX_FILES; i++)
		if (!files[i][0]) {
			strcpy(files[i], path + 1);
			r = 0;
		}
	pthread_mutex_unlock(&lock);
	return r;
}

static int hf_open(const char *path, struct fuse_file_info *fi)
{
	(void)fi;
	pthread_mutex_lock(&lock);
	int r = strcmp(path, "/") == 0 || find(path + 1) >= 0 ? 0 : -ENOENT;
	pthread_mutex_unlock(&lock);
	return r;
}

static int hf_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)path;
	(void)buf;
	(void)size;
	(void)off;
	(void)fi;
	return 0;
}

static int hf_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	(void)path;
	(void)buf;
	(void)off;
	(void)fi;
	return (int)size; /* contents are not kept: only names matter here */
}

static int hf_unlink(const char *path)
{
	int r = gate("unlink");
	if (r)
		return r;
	pthread_mutex_lock(&lock);
	r = find(path + 1);
	if (r >= 0)
		files[r][0] = '\0';
	pthread_mutex_unlock(&lock);
	return r >= 0 ? 0 : -ENOENT;
}

static int hf_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	(void)path;
	(void)size;
	(void)fi;
	return 0;
}

static int hf_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
	(void)path;
	(void)tv;
	(void)fi;
	return 0;
}

static const struct fuse_operations ops = {
	.init = hf_init,
	.getattr = hf_getattr,
	.opendir = hf_opendir,
	.readdir = hf_readdir,
	.create = hf_create,
	.open = hf_open,
	.read = hf_read,
	.write = hf_write,
	.unlink = hf_unlink,
	.truncate = hf_truncate,
	.utimens = hf_utimens,
};

int main(int argc, char **argv)
{
	char *args[64];
	int n = 0;

	if (argc < 3 || argc > 50) {
		fprintf(stderr, "usage: hangfs CONTROL MOUNTPOINT [FUSE options...]\n");
		return 64;
	}
	control = argv[1];
	args[n++] = "hangfs";
	args[n++] = "-f"; /* foreground: the test stops it by pid */
	args[n++] = "-o";
	args[n++] = "fsname=hangfs,subtype=hangfs";
	args[n++] = "-o";
	args[n++] = "max_threads=64"; /* libfuse 3.14 warns about its own default otherwise */
	for (int i = 2; i < argc; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	return fuse_main(n, args, &ops, NULL);
}
