/* SPDX-License-Identifier: MIT */
/* node.kind: what kind of node this is, and whether the guide supports it as a client. */
#include "doctor/doctor_facts.h"

void doctor_judge_node(const struct doctor_facts *f, struct report *r)
{
	const struct node_info *n = f->node;

	switch (n->kind) {
	case NODE_WSL1:
		report_check(r, "node.kind", CHECK_FAIL,
			     .summary = xasprintf("WSL1: no Linux kernel, no NFS client"),
			     .detail = xasprintf("%s. WSL1 translates Linux system calls and "
						 "cannot mount NFS.",
						 n->kind_reason),
			     .fix = xasprintf("wsl --set-version <distro> 2   (PowerShell on "
					      "the Windows host)"));
		break;
	case NODE_WSL2:
		report_check(r, "node.kind", CHECK_OK,
			     .summary = xasprintf("WSL2 (%s networking, from %s)",
						  n->wsl.networking_mode, mode_source_name(n->wsl.mode_source)),
			     .detail = xasprintf("%s", n->kind_reason));
		break;
	default:
		report_check(r, "node.kind", CHECK_OK,
			     .summary = xasprintf("native Linux%s%s", n->distro ? ", " : "",
						  n->distro ? n->distro : ""),
			     .detail = xasprintf("%s", n->kind_reason));
		break;
	}
	for (size_t i = 0; i < n->n_warnings; i++)
		report_add(r, "node.input", CHECK_WARN, "%s", n->warnings[i]);
}
