/* SPDX-License-Identifier: MIT */
/* Inside the config module only (its files and their unit tests);
 * other modules use config/config.h. */
#pragma once

#include "config/config.h"

/* A gateway list "HOST[, HOST...]" into servers (new strings; at most
 * CONFIG_SHARE_MAX_SERVERS, no duplicates): 0, or -EINVAL with the problem in err. */
int config_parse_servers(const char *value, char **servers, size_t *n, char *err,
			 size_t errsize);

/* https://host[:port][/path], no credentials, query or fragment. */
int config_check_https_url(const char *s);

/* A node name: [A-Za-z0-9][A-Za-z0-9._-]*, at most 63 characters. */
int config_check_node_name(const char *s);

/* Parses one [nodes] value into n (name and line are set by the caller). */
int config_parse_node_value(const char *value, struct config_node *n, char *err, size_t errsize);
void config_node_free(struct config_node *n);
