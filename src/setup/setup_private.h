/* SPDX-License-Identifier: MIT */
/* Inside the setup module only (its files and their unit tests);
 * other modules use its public headers. */
#pragma once

#include "setup/setup.h"
#include "setup/plan.h"
#include "setup/diff.h"
#include "node/ceph_cli.h"

/* Appends to out a unified diff (3 lines of context, "\ No newline at end of file" where
 * needed) turning a into b. old_label NULL means the file does not exist yet (/dev/null).
 * Appends nothing when a and b are equal. The changed lines form one hunk (edits of setup
 * touch one place; a diff of two places in one hunk is still exact). */
void diff_unified(const char *old_label, const char *new_label, const char *a, size_t a_len,
		  const char *b, size_t b_len, struct buf *out);

/* From setup/plan.h: only setup/ uses these. */
struct plan_step *plan_add_mkdir(struct plan *p, const char *id, const char *shown,
				 const char *path, mode_t mode);

/* argv is NULL-terminated and copied. */
struct plan_step *plan_add_run(struct plan *p, const char *id, int timeout_ms,
			       const char *const *argv);
struct plan_step *plan_add_signal(struct plan *p, const char *id, pid_t pid, int sig,
				  const char *what);
void plan_right(struct plan *p, const char *id, const char *fmt, ...) _printf_(3, 4);

/* Keeps ptr alive until plan_free (and frees it then). */
void *plan_own(struct plan *p, void *ptr);

/* "apt-get install -y nfs-common" from an argv. New string. */
char *plan_argv_text(char *const *argv);

/* Sets a step's outcome (status and the one-line result), for judges. */
void plan_step_set_result(struct plan_step *s, enum check_status st, const char *fmt, ...)
	_printf_(3, 4);

/* Applies one step (the only function here that changes anything). Sets status and result;
 * returns 0 when it succeeded (or had nothing left to do), a negative errno when it failed.
 * -EBADMSG: a file became unparsable since the plan was made (diag). */
int plan_step_apply(struct plan_step *s, struct diag *diag);

/* From setup/setup.h: only setup/ uses these. */
/* A command's deadline: the global --timeout, but never less than floor_ms (one of the above). */
static inline int setup_timeout(int timeout_ms, int floor_ms)
{
	return timeout_ms > floor_ms ? timeout_ms : floor_ms;
}

/* nfs-ganesha with conf (owned by p from here on) as /etc/ganesha/ganesha.conf: the write,
 * the export directory when local_dir (not for FSAL_CEPH: the path is in the cluster), and
 * the start or reload. -EEXIST (diag) for a configuration meshnfs did not write. */
int setup_ganesha_serve(struct plan *p, const struct setup_server *s, const struct node_info *n,
			char *conf, bool local_dir, struct diag *diag);

/* program is installed, or a step that installs pkgs (-ENOPKG, diag: not a Debian-like
 * system). */
int setup_plan_packages(struct plan *p, const struct node_info *n, const struct setup_server *s,
			const char *program, const char *pkgs, struct diag *diag);

/* The CephFS gateway's plan (setup_ceph.c): checks the key file (-EBADMSG, diag: the file),
 * asks the cluster (live; listed under --root): -EBADMSG its answer is refused, -EHOSTDOWN it
 * cannot serve the export (diag says why); then ganesha with FSAL_CEPH. */
int setup_ceph_plan(struct plan *p, const struct setup_server *s, const struct node_info *n,
		    struct diag *diag);

/* The ganesha configuration of a CephFS gateway (new string), NULL when a value cannot be
 * written there (a double quote, a backslash or a control byte). */
char *setup_ganesha_ceph_conf(const struct setup_server *s);

/* The ganesha configuration for exports[0..n) (one EXPORT each, FSAL_VFS, Export_Id 1..n in
 * that order; new string), or NULL when a path cannot be written there (a double quote, a
 * backslash or a control byte). */
char *setup_ganesha_conf(const char *const *exports, size_t n, const char *clients,
			 bool root_squash);
void setup_ganesha_export(struct buf *b, unsigned id, const char *path, const char *pseudo,
			  bool root_squash, const char *fsal, const char *clients);

/* The step that installs pkgs (space-separated, at most three) because program is missing:
 * apt-get install -y --no-install-recommends, `apt-get update` and once more when that fails,
 * then a check that program is there now (step id setup.packages). */
void setup_plan_install(struct plan *p, const char *program, const char *pkgs, int timeout_ms);

/* systemd's unit name for a path (systemd-escape --path --suffix): "/opt/shared" ->
 * "opt-shared.automount". New string. */
char *repair_unit_name(const char *path, const char *suffix);

/* Its judge: p is the finished probe, NULL when not verified (--root). Pure. */
void setup_verify_judge(const char *server, const char *export_path, const struct probe *p,
			struct report *r);

/* Its judge: mounted_again (the plan had repair.mount), health_rc and h the health probe's
 * result (health_rc < 0: it did not run). Pure. */
void repair_verify_judge(const struct repair *rp, bool mounted_again, int health_rc,
			 const struct mount_health *h, struct report *r);

/* setup_ceph.c: the cluster's answers judged (ceph status, ceph mds stat, the libcephfs check
 * of the path): a plan note or line and 0, or -EHOSTDOWN with the one reason in diag. Here
 * for its unit test (only a live cluster gives the answers otherwise). */
int setup_ceph_judge_cluster(struct plan *p, const struct setup_ceph *c,
			     const struct ceph_status *st, const struct ceph_fsmap *m,
			     const struct ceph_client *cl, struct diag *diag);

/* setup_ceph.c: FSAL_CEPH (nfs-ganesha-ceph): already right when its library is there; else,
 * with ganesha installed on a Debian-like node, a step installing it whose check (after
 * apt-get) wants the library there; without ganesha nothing (the step installing ganesha
 * brings it); elsewhere -ENOPKG. Here for its unit test: the check runs only after a real
 * apt-get. */
int setup_ceph_fsal(struct plan *p, const struct node_info *n, const struct setup_server *s,
		    struct diag *diag);

/* setup_ceph.c: the judge of the step that adds this gateway to the grace database (its
 * judge_data a struct grace_judge): a failed add followed by a dump; a member now is the add
 * done; not a member, the add once more when the step took less than half its deadline.
 * Here for its unit test, with a stand-in ganesha-rados-grace. */
struct grace_judge {
	struct ceph_cli cli;
	struct ceph_grace_where w;
	const char *nodeid;
};
int setup_ceph_judge_grace(struct plan_step *s, void *data, int r);
