/* SPDX-License-Identifier: MIT */
/* The areas doctor runs: who gathers which facts, who judges them. Checks are reported in
 * this order. */
#include "doctor/doctor_facts.h"

const struct doctor_area doctor_areas[] = {
	{ "node", NULL, doctor_judge_node },
	{ "wsl", doctor_gather_wsl, doctor_judge_wsl },
	{ "nfs", doctor_gather_nfs, doctor_judge_nfs },
	{ "gateways", doctor_gather_gateways, doctor_judge_gateways },
	{ "mount", doctor_gather_mount, doctor_judge_mount },
	{ "mountpoint", NULL, doctor_judge_mountpoint }, /* facts: the mount gatherer's */
	{ "client", doctor_gather_client, doctor_judge_client },
	{ "server", doctor_gather_server, doctor_judge_server },
	{ "ids", doctor_gather_ids, doctor_judge_ids },
	{ "ceph", doctor_gather_ceph, doctor_judge_ceph },
	{ "mesh", doctor_gather_mesh, doctor_judge_mesh },
	{ "mesh_path", NULL, doctor_judge_mesh_path }, /* facts: mesh's, and after the probe */
	{ "wsl_ports", doctor_gather_ports, doctor_judge_ports },
	{ "wsl_nfs", NULL, doctor_judge_wsl_nfs },
};
const size_t doctor_n_areas = sizeof(doctor_areas) / sizeof(doctor_areas[0]);
