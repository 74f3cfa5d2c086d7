/* SPDX-License-Identifier: MIT */
/* meshnfs help [COMMAND] */
#include "cmd/cmd.h"
#include "cmd/cmd_private.h"

int cmd_help(struct ctx *ctx, int argc, char **argv)
{
	int i = cmd_parse_options(ctx, command_find("help"), argc, argv, NULL, NULL, NULL, NULL);

	if (i < 0)
		return EXIT_USAGE;
	if (i < argc) {
		const struct command *c = command_find(argv[i]);
		if (!c)
			return cmd_usage_error(NULL, "unknown command '%s'", argv[i]);
		/* `help setup client`: one target's help. */
		if (i + 1 < argc && c->targets) {
			_cleanup_free_ char *name = xasprintf("%s %s", argv[i], argv[i + 1]);
			const struct command *t = NULL;
			for (const struct command *const *p = c->targets; *p; p++)
				if (streq((*p)->name, name))
					t = *p;
			if (!t)
				return cmd_usage_error(c, "%s has no target '%s'", argv[i], argv[i + 1]);
			c = t;
			i++;
		}
		if (i + 1 < argc)
			return cmd_usage_error(command_find("help"), "unexpected argument '%s'",
					       argv[i + 1]);
		cmd_print_help(c, stdout);
		return EXIT_OK;
	}
	cmd_print_usage(NULL, stdout);
	printf("\nCommands:\n");
	for (size_t k = 0; k < n_commands; k++)
		printf("  %-8s %s\n", commands[k].name, commands[k].summary);
	printf("\n'meshnfs help COMMAND' or 'meshnfs COMMAND --help': a command's options.\n"
	       "Exit codes: 0 ok, 1 warnings, 2 failures, 64 usage, 65 bad input, 70 internal.\n"
	       "See meshnfs(8) and meshnfs.conf(5).\n");
	return EXIT_OK;
}

