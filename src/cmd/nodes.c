/* SPDX-License-Identifier: MIT */
/* The mesh's node list for the commands that work on the whole mesh (status, doctor --all):
 * loaded from the sources in their order, or the error printed the same way for both. */
#include "cmd/cmd.h"

#include "core/escape.h"

#include "node/node.h"
#include "cmd/cmd_private.h"

#include <errno.h>

static const char *error_kind(int r)
{
	return r == -ENOENT ? "no_source" : "source_unavailable";
}

int cmd_mesh_nodes(struct ctx *ctx, const char *command, int source, struct mesh_nodes *out)
{
	struct diag d = { 0 };
	struct node_info self;
	char msg[1200];
	int r;

	/* Which CLI carries this node's Tailscale: the Windows host's on WSL2. */
	node_detect(&ctx->config, ctx->timeout_ms, &self);
	struct mesh_load_opts o = {
		.source = source,
		.timeout_ms = ctx->timeout_ms,
		.wsl2 = self.kind == NODE_WSL2,
		.hostname = self.wsl.conf_hostname ? self.wsl.conf_hostname : self.hostname,
	};
	r = mesh_sources_load(&ctx->config, &o, out, &d);
	node_info_free(&self);
	if (r == 0)
		return 0;
	if (r == -EBADMSG)
		return cmd_bad_input(ctx, &d);
	diag_format(&d, msg, sizeof(msg));
	fprintf(stderr, "meshnfs: %s\n", msg);
	if (ctx->json) {
		json_t *doc = json_pack("{s:s, s:s, s:{s:s, s:o}}", "command", command, "verdict",
					"fail", "error", "kind", error_kind(r), "message",
					json_text(msg));
		cmd_print_json(doc);
		json_decref(doc);
	}
	return EXIT_FAIL;
}
