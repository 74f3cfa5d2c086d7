/* SPDX-License-Identifier: MIT */
/* node.kind: what kind of node this is, and whether the guide supports it as a client. */
#include "doctor/doctor_facts.h"

void doctor_judge_node(const struct doctor_facts *f, struct report *r)
{
	const struct node_info *n = f->node;
	struct check *c;

	switch (n->kind) {
	case NODE_WSL1:
		c = report_add(r, "node.kind", CHECK_FAIL, "WSL1: no Linux kernel, no NFS client");
		check_set_detail(c, "%s. WSL1 translates Linux system calls and cannot mount NFS.",
				 n->kind_reason);
		check_set_fix(c, "wsl --set-version <distro> 2   (PowerShell on the Windows host)");
		break;
	case NODE_WSL2:
		c = report_add(r, "node.kind", CHECK_OK, "WSL2 (%s networking, from %s)",
			       n->wsl.networking_mode, mode_source_name(n->wsl.mode_source));
		check_set_detail(c, "%s", n->kind_reason);
		break;
	default:
		c = report_add(r, "node.kind", CHECK_OK, "native Linux%s%s", n->distro ? ", " : "",
			       n->distro ? n->distro : "");
		check_set_detail(c, "%s", n->kind_reason);
		break;
	}
	for (size_t i = 0; i < n->n_warnings; i++)
		report_add(r, "node.input", CHECK_WARN, "%s", n->warnings[i]);
}
