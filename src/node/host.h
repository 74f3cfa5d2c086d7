/* SPDX-License-Identifier: MIT */
/* Facts about this host that doctor, setup and repair share: which programs are installed,
 * which TCP ports listen, whether nfs-ganesha runs, and where its files are. Read from files
 * under --root only (the ganesha pid is checked against the real process table, where a
 * signal would go); nothing is run, nothing is written. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* nfs-ganesha's configuration (Debian's /etc/default/nfs-ganesha points ganesha.nfsd at it),
 * its pid file and log, and the first line of a configuration meshnfs wrote. */
#define NODE_GANESHA_CONF "/etc/ganesha/ganesha.conf"
#define NODE_GANESHA_PIDFILE "/run/ganesha/ganesha.pid"
#define NODE_GANESHA_LOG "/var/log/ganesha/ganesha.log"
#define NODE_GANESHA_MARKER "# meshnfs: written by `meshnfs setup server --backend ganesha`"

/* A program installed under the root, in any of the usual sbin/bin directories (a regular
 * executable file). */
bool node_have_program(const char *name);
/* A running ganesha.nfsd from its pid file (under the root), checked against the process
 * table (the real /proc, since that is where a signal would go): its pid or 0. */
pid_t node_ganesha_pid(void);
/* Whether TCP port is in LISTEN state in this network namespace (/proc/net/tcp and tcp6 under
 * the root): 1 yes, 0 no, negative errno when unreadable. */
int node_port_listening(unsigned port);
