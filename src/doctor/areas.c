/* SPDX-License-Identifier: MIT */
/* The areas doctor runs, in the order their checks are reported. */
#include "doctor/doctor.h"

const struct doctor_area doctor_areas[] = {
	{ "node", 1, doctor_node },
	{ "wsl", 1, doctor_wsl },
	{ "nfs", 1, doctor_nfs },
	{ "mount", 1, doctor_mount },
	{ "client", 1, doctor_client },
	{ "server", 1, doctor_server },
	{ "mesh", 1, doctor_mesh },
	{ "wsl_ports", 1, doctor_wsl_ports },
	{ "mount_cause", 2, doctor_mount_cause },
	{ "wsl_nfs", 2, doctor_wsl_nfs },
};
const size_t doctor_n_areas = sizeof(doctor_areas) / sizeof(doctor_areas[0]);
