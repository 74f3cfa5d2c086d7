/* SPDX-License-Identifier: MIT */
/* Included by unit tests only (*_test.c): a config made from text. */
#pragma once

#include "config/config.h"
#include "core/test.h"

/* The built-in defaults, then text as a meshnfs.conf named test.conf (fails the test on an
 * error). */
static inline void test_config(struct config *c, const char *text)
{
	struct diag d = { 0 };

	config_defaults(c);
	if (config_parse("test.conf", text, strlen(text), c, &d) < 0)
		fail_msg("%s:%u: %s", d.file, d.line, d.msg);
	c->source = xstrdup("test.conf");
}
