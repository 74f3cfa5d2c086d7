/* SPDX-License-Identifier: MIT */
/* Inside the node module only (node.c, facts.c, wsl.c and their tests): the steps of
 * node_detect and the helpers they share. Other modules use node/node.h. */
#pragma once

#include "node/ceph_cli.h"

#include "node/node.h"

/* A problem met in foreign input, kept as a warning of n (node.input). */
void node_warn(struct node_info *n, const char *fmt, ...) _printf_(2, 3);
/* A parser's diag as a warning: "FILE:LINE: problem". */
void node_warn_diag(struct node_info *n, const struct diag *d);
/* Reads a file for detection: 0, -ENOENT quietly (an absent file is a fact), or another
 * negative errno after a warning naming the file. */
int node_read_file(struct node_info *n, const char *path, size_t max, char **data, size_t *len);
void node_detect_wsl(struct node_info *n, int timeout_ms);
void node_detect_facts(struct node_info *n, const struct config *cfg);

/* From node/ceph_cli.h: only node/ uses these. */
/* Loads libcephfs (once): 0, or -ENOENT when it cannot be had. */
int cephfs_lazy_load(void);

/* From node/node.h: only node/ uses these. */
/* n holds the mesh address a (host byte order). */
bool node_holds_addr(const struct node_info *n, uint32_t a);
