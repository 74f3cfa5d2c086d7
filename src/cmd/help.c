/* SPDX-License-Identifier: MIT */
/* meshnfs help [COMMAND] */
#include "cmd/cmd.h"

int cmd_help(struct ctx *ctx, int argc, char **argv)
{
	int i = cmd_parse_options(ctx, command_find("help"), argc, argv, NULL, NULL, NULL, NULL);

	if (i < 0)
		return EXIT_USAGE;
	if (i < argc) {
		const struct command *c = command_find(argv[i]);
		if (!c)
			return cmd_usage_error(NULL, "unknown command '%s'", argv[i]);
		cmd_print_usage(c, stdout);
		printf("%s\n", c->summary);
		return EXIT_OK;
	}
	cmd_print_usage(NULL, stdout);
	printf("\nCommands:\n");
	for (size_t k = 0; k < n_commands; k++)
		printf("  %-8s %s\n", commands[k].name, commands[k].summary);
	printf("\nExit codes: 0 ok, 1 warnings, 2 failures, 64 usage, 65 bad input, 70 internal.\n"
	       "See meshnfs(8).\n");
	return EXIT_OK;
}

