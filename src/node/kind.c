/* SPDX-License-Identifier: MIT */
/* Node kind. WSL1 runs no Linux kernel: it reports a fixed "4.4.0-BUILD-Microsoft" release.
 * WSL2 kernels say "microsoft-standard" (e.g. 5.15.153.1-microsoft-standard-WSL2, early ones
 * 4.19.104-microsoft-standard). Custom WSL2 kernels may drop the word: then WSL's interop
 * binfmt entry or /mnt/wsl still tell. */
#include "node/node.h"

#include <ctype.h>

static bool is_wsl1_release(const char *r)
{
	/* "4.4.0-19041-Microsoft" */
	if (!startswith(r, "4.4.0-"))
		return false;
	const char *p = r + 6;
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	return startswith(p, "-Microsoft");
}

enum node_kind node_kind_from(const char *osrelease, const char *version, bool wsl_interop,
			      bool mnt_wsl, char **reason)
{
	const char *rel = osrelease ? osrelease : "";
	const char *ver = version ? version : "";

	if (is_wsl1_release(rel)) {
		*reason = xasprintf("kernel release \"%s\" is WSL1's", rel);
		return NODE_WSL1;
	}
	if (strcasecontains(rel, "microsoft") || strcasecontains(rel, "wsl")) {
		*reason = xasprintf("kernel release \"%s\" is a WSL2 kernel", rel);
		return NODE_WSL2;
	}
	if (strcasecontains(ver, "microsoft")) {
		*reason = xasprintf("/proc/version names Microsoft (kernel \"%s\")", rel);
		return NODE_WSL2;
	}
	if (wsl_interop || mnt_wsl) {
		*reason = xasprintf("custom kernel \"%s\" but %s exists", rel,
				    wsl_interop ? "binfmt_misc WSLInterop" : "/mnt/wsl");
		return NODE_WSL2;
	}
	*reason = xasprintf("kernel \"%s\" with no sign of WSL", rel);
	return NODE_LINUX;
}

const char *node_kind_name(enum node_kind k)
{
	static const char *const names[] = {
		[NODE_LINUX] = "linux", [NODE_WSL1] = "wsl1", [NODE_WSL2] = "wsl2"
	};
	return ENUM_NAME(names, k, "linux");
}

const char *mode_source_name(enum mode_source s)
{
	static const char *const names[] = {
		[MODE_FROM_WSLINFO] = "wslinfo",
		[MODE_FROM_WSLCONFIG] = "wslconfig",
		[MODE_FROM_DEFAULT] = "default",
	};
	return ENUM_NAME(names, s, "default");
}

const char *wsl_mode_normalize(const char *s)
{
	static const char *const modes[] = { "mirrored", "nat",  "bridged",
					     "virtioproxy", "none", "wsl1" };

	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		if (strcasecmp(s, modes[i]) == 0)
			return modes[i];
	return NULL;
}
