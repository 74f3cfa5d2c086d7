/* SPDX-License-Identifier: MIT */
/* The command table: name, one-line summary, synopsis, entry point. */
#include "cmd/cmd.h"

const struct command commands[] = {
	{ "env", "what kind of node this is (Linux, WSL1, WSL2 and its networking) and what follows",
	  "env", cmd_env },
	{ "doctor", "run every check of the guide and more; name each failure's cause and fix",
	  "doctor [--all [--source SOURCE]]", cmd_doctor },
	{ "probe", "test an NFS server step by step: route, TCP, NFS, export, write, ownership",
	  "probe [--no-write] [HOST[:EXPORT]]", cmd_probe },
	{ "setup", "make this node an NFS client or server (or fix WSL settings), plan first",
	  "setup client|server|wsl [--dry-run] [OPTIONS]", cmd_setup },
	{ "repair", "fix what doctor finds fixable: stale handles, hung or lost mounts",
	  "repair [--dry-run]", cmd_repair },
	{ "watch", "keep the share from freezing: check it every interval, log, repair, detach, metrics",
	  "watch [--once] [--interval S] [--detach-after S] [--textfile DIR] [--listen [ADDR:]PORT] "
	  "[--write]",
	  cmd_watch },
	{ "status", "the mesh's nodes, live: addresses, roles, online, NFS verdicts",
	  "status [--source SOURCE] [--no-write] [--parallel N]", cmd_status },
	{ "help", "list the commands, or show one command's usage", "help [COMMAND]", cmd_help },
};
const size_t n_commands = sizeof(commands) / sizeof(commands[0]);

const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < n_commands; i++)
		if (streq(commands[i].name, name))
			return &commands[i];
	return NULL;
}

