/* SPDX-License-Identifier: MIT */
/* meshnfs.conf: the guide's values as built-in defaults, overridden by /etc/meshnfs.conf
 * (under --root) or --config FILE. Strict: an unknown section or key, or a bad value, is an
 * error naming file, line and token (a typo must not silently fall back to a default). */
#pragma once

#include "core/diag.h"
#include "format/cidr.h"

#define CONFIG_DEFAULT_PATH "/etc/meshnfs.conf"

struct config {
	char *server;        /* [server] address: the NFS server's mesh address or name */
	char *export_path;   /* [server] export: the exported path, as clients mount it */
	char *mountpoint;    /* [client] mountpoint */
	char *mount_options; /* [client] options: the fstab options */
	struct cidr mesh;    /* [mesh] range */
	char *source;        /* file the values came from, or NULL for built-in defaults */
};

/* Fills c with the defaults, then applies the file: path when given (must exist), else
 * CONFIG_DEFAULT_PATH under the root when it exists. -EBADMSG (diag filled) on bad input. */
int config_load(const char *path, struct config *c, struct diag *diag);
/* Parses configuration text over the values already in c. */
int config_parse(const char *file, const char *data, size_t len, struct config *c,
		 struct diag *diag);
void config_defaults(struct config *c);
void config_free(struct config *c);

/* Validators shared with the command line (return 0 or -EINVAL). */
int config_check_host(const char *s);
int config_check_abs_path(const char *s);
int config_check_mount_options(const char *s);
