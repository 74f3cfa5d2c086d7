/* SPDX-License-Identifier: MIT */
/* The floor of `meshnfs status --no-write` against many addresses of one server: how many of
 * the least NFSv4 conversations per address the server completes per second from one client
 * host, CONC at a time, libnfs's async API, one poll loop. Built by bench/ladder-floor.sh; not
 * part of meshnfs.
 *   ladders MODE CONC EXPORT < hosts
 * MODE: null   TCP connect, NFSv4 NULL (libnfs's rpc_connect_port_async)
 *       lookup the same, then one COMPOUND: PUTROOTFH, LOOKUP per component, GETATTR, GETFH
 *              (no client id: what status --no-write's ladder does now, one connection)
 *       mount  libnfs's nfs_mount_async: connect, NULL, SETCLIENTID, SETCLIENTID_CONFIRM,
 *              then the compound above (a new NFSv4 client of the server per address: the
 *              export step status --no-write did before)
 * A conversation without an answer for 10 s counts as failed.
 * Prints "MODE CONC done N failed F ms T per_s R". */
#include <poll.h>
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

enum mode { M_NULL, M_LOOKUP, M_MOUNT };

struct conv {
	struct rpc_context *rpc;
	struct nfs_context *nfs;
	int done, failed;
	double t0;
};

static enum mode mode;
static const char *export_path;

static double ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void on_compound(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct conv *c = priv;
	COMPOUND4res *res = data;

	(void)rpc;
	c->done = 1;
	c->failed = status != RPC_STATUS_SUCCESS || !res || res->status != NFS4_OK;
}

static void on_connect(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct conv *c = priv;
	nfs_argop4 op[16];
	COMPOUND4args args;
	uint32_t attrs[2] = { 1u << FATTR4_TYPE, 0 };
	char path[256], *save = NULL;
	int n = 0;

	(void)data;
	if (status != RPC_STATUS_SUCCESS || mode == M_NULL) {
		c->done = 1;
		c->failed = status != RPC_STATUS_SUCCESS;
		return;
	}
	memset(op, 0, sizeof(op));
	op[n++].argop = OP_PUTROOTFH;
	snprintf(path, sizeof(path), "%s", export_path);
	for (char *s = strtok_r(path, "/", &save); s && n < 13; s = strtok_r(NULL, "/", &save)) {
		op[n].argop = OP_LOOKUP;
		op[n].nfs_argop4_u.oplookup.objname.utf8string_len = (u_int)strlen(s);
		op[n++].nfs_argop4_u.oplookup.objname.utf8string_val = s;
	}
	op[n].argop = OP_GETATTR;
	op[n].nfs_argop4_u.opgetattr.attr_request.bitmap4_len = 2;
	op[n++].nfs_argop4_u.opgetattr.attr_request.bitmap4_val = attrs;
	op[n++].argop = OP_GETFH;
	memset(&args, 0, sizeof(args));
	args.argarray.argarray_len = (u_int)n;
	args.argarray.argarray_val = op;
	if (rpc_nfs4_compound_async(rpc, on_compound, &args, c) != 0) {
		c->done = 1;
		c->failed = 1;
	}
}

static void on_mount(int err, struct nfs_context *nfs, void *data, void *priv)
{
	struct conv *c = priv;

	(void)nfs;
	(void)data;
	c->done = 1;
	c->failed = err != 0;
}

static int start(struct conv *c, const char *host, unsigned id)
{
	memset(c, 0, sizeof(*c));
	c->t0 = ms();
	if (mode == M_MOUNT) {
		char name[64], verf[8];
		if (!(c->nfs = nfs_init_context()))
			return -1;
		nfs_set_version(c->nfs, NFS_V4);
		nfs_set_autoreconnect(c->nfs, 0);
		snprintf(name, sizeof(name), "ladders %d %u", (int)getpid(), id);
		memcpy(verf, &id, sizeof(id));
		memset(verf + sizeof(id), 0x5a, sizeof(verf) - sizeof(id));
		nfs4_set_client_name(c->nfs, name);
		nfs4_set_verifier(c->nfs, verf);
		return nfs_mount_async(c->nfs, host, export_path, on_mount, c);
	}
	if (!(c->rpc = rpc_init_context()))
		return -1;
	return rpc_connect_port_async(c->rpc, host, 2049, NFS4_PROGRAM, NFS_V4, on_connect, c);
}

static void stop(struct conv *c)
{
	if (c->nfs)
		nfs_destroy_context(c->nfs);
	if (c->rpc)
		rpc_destroy_context(c->rpc);
	c->nfs = NULL;
	c->rpc = NULL;
}

int main(int argc, char **argv)
{
	char line[128], **hosts = NULL;
	size_t n = 0, next = 0, done = 0, failed = 0, conc;
	struct conv *cv;
	struct pollfd *pfd;
	double t0;

	if (argc != 4 || (strcmp(argv[1], "null") && strcmp(argv[1], "lookup") &&
			  strcmp(argv[1], "mount")))
		return fprintf(stderr, "usage: ladders null|lookup|mount CONC EXPORT < hosts\n"), 64;
	mode = !strcmp(argv[1], "null") ? M_NULL : !strcmp(argv[1], "lookup") ? M_LOOKUP : M_MOUNT;
	conc = (size_t)atoi(argv[2]);
	export_path = argv[3];
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		hosts = realloc(hosts, (n + 1) * sizeof(*hosts));
		hosts[n++] = strdup(line);
	}
	if (!n || !conc)
		return fprintf(stderr, "ladders: no hosts or CONC 0\n"), 64;
	cv = calloc(conc, sizeof(*cv));
	pfd = calloc(conc, sizeof(*pfd));
	for (size_t i = 0; i < conc; i++)
		cv[i].done = 2; /* free slot */
	t0 = ms();
	while (done < n) {
		for (size_t i = 0; i < conc; i++) {
			if (!cv[i].done && ms() - cv[i].t0 > 10000) {
				cv[i].done = 1; /* no answer in 10 s: failed */
				cv[i].failed = 1;
			}
			if (cv[i].done == 1) {
				failed += (size_t)cv[i].failed;
				done++;
				stop(&cv[i]);
				cv[i].done = 2;
			}
			if (cv[i].done == 2 && next < n) {
				unsigned id = (unsigned)next;
				if (start(&cv[i], hosts[next++], id) != 0) {
					cv[i].done = 1;
					cv[i].failed = 1;
				}
			}
		}
		size_t k = 0;
		for (size_t i = 0; i < conc; i++) {
			pfd[i].fd = -1;
			pfd[i].events = 0;
			if (cv[i].done)
				continue;
			pfd[i].fd = cv[i].nfs ? nfs_get_fd(cv[i].nfs) : rpc_get_fd(cv[i].rpc);
			pfd[i].events = (short)(cv[i].nfs ? nfs_which_events(cv[i].nfs)
							  : rpc_which_events(cv[i].rpc));
			k++;
		}
		if (!k)
			continue;
		if (poll(pfd, conc, 100) < 0)
			return perror("poll"), 1;
		for (size_t i = 0; i < conc; i++) {
			if (cv[i].done || pfd[i].fd < 0)
				continue;
			int r = cv[i].nfs ? nfs_service(cv[i].nfs, pfd[i].revents)
					  : rpc_service(cv[i].rpc, pfd[i].revents);
			if (r < 0 && !cv[i].done) {
				cv[i].done = 1;
				cv[i].failed = 1;
			}
		}
	}
	double t = ms() - t0;
	printf("%s %zu done %zu failed %zu ms %.0f per_s %.0f\n", argv[1], conc, done, failed, t,
	       done / (t / 1e3));
	return 0;
}
