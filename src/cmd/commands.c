/* SPDX-License-Identifier: MIT */
/* The command table: name, one-line summary, synopsis, entry point, options. */
#include "cmd/cmd.h"
#include "cmd/cmd_private.h"

#define FORMAT_OPTION                                                                         \
	"  --format FORMAT    human (default), json (as --json) or nagios: one Monitoring\n"   \
	"                     Plugins status line with perfdata, exit 0/1/2, 3 UNKNOWN\n"

const struct command commands[] = {
	{ "env", "what kind of node this is (Linux, WSL1, WSL2 and its networking) and what follows",
	  "env", cmd_env, NULL, NULL },
	{ "doctor", "run every check of the guide and more; name each failure's cause and fix",
	  "doctor [--all [--source SOURCE]] [--format FORMAT]", cmd_doctor,
	  "  --all              doctor on every node of the mesh over ssh, one table\n"
	  "  --source SOURCE    with --all: the node list from headscale, tailscale,\n"
	  "                     tailscale.exe or config (default: the first that answers)\n"
	  FORMAT_OPTION,
	  NULL },
	{ "probe", "test an NFS server step by step: route, TCP, NFS, export, write, ownership",
	  "probe [--no-write] [--format FORMAT] [HOST[:EXPORT]]", cmd_probe,
	  "  --no-write         skip the write test (and so the ownership step)\n"
	  FORMAT_OPTION
	  "  HOST[:EXPORT]      the server (default: [server] address) and its export\n"
	  "                     (default: [server] export); without it, every gateway of\n"
	  "                     the share (--share) at once\n",
	  NULL },
	{ "setup", "make this node an NFS client or server (or fix WSL settings), plan first",
	  "setup client|server|wsl [--dry-run] [OPTIONS]", cmd_setup, NULL, setup_targets },
	{ "repair", "fix what doctor finds fixable: stale handles, hung or lost mounts",
	  "repair [--dry-run] [--gateway GW]", cmd_repair,
	  "  --dry-run          show the plan, change nothing\n"
	  "  --gateway GW       move the share's client to gateway GW (one of its servers)\n"
	  "                     when GW answers; without it a client moves only off a\n"
	  "                     gateway that does not answer\n", NULL },
	{ "watch", "keep the share from freezing: check it every interval, log, repair, detach, metrics",
	  "watch [--once] [--interval S] [--detach-after S] [--textfile DIR] [--listen [ADDR:]PORT] "
	  "[--write]",
	  cmd_watch,
	  "  --once             one round, then exit 0/1/2 as doctor (for cron or timers)\n"
	  "  --interval S       seconds between rounds, 1..86400 (default: [watch] interval, 10)\n"
	  "  --detach-after S   detach a mount hung this long (lazy unmount, read-only\n"
	  "                     placeholder) and mount it again when the server answers;\n"
	  "                     0: never (default: [watch] detach_after, 0)\n"
	  "  --textfile DIR     write metrics atomically to DIR/meshnfs.prom (node_exporter)\n"
	  "  --listen [ADDR:]PORT  serve metrics over HTTP (default address 127.0.0.1)\n"
	  "  --write            the probe writes and removes a small file each round\n",
	  NULL },
	{ "status", "the mesh's nodes, live: addresses, roles, online, NFS verdicts",
	  "status [--source SOURCE] [--no-write] [--parallel N]", cmd_status,
	  "  --source SOURCE    the node list from headscale, tailscale, tailscale.exe or\n"
	  "                     config (default: the first that answers)\n"
	  "  --no-write         NFS servers: skip the write test\n"
	  "  --parallel N       addresses probed at once, 1..4096\n",
	  NULL },
	{ "help", "list the commands, or show one command's usage", "help [COMMAND]", cmd_help,
	  "  COMMAND            show that command's usage and options\n", NULL },
};
const size_t n_commands = sizeof(commands) / sizeof(commands[0]);

const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < n_commands; i++)
		if (streq(commands[i].name, name))
			return &commands[i];
	return NULL;
}
