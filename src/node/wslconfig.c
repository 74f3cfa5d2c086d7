/* SPDX-License-Identifier: MIT */
#include "node/wslconfig.h"

#include "node/node.h"

#include <limits.h>
#include <stdarg.h>

static const char *const modes[] = { "mirrored", "nat", "bridged", "virtioproxy", "none" };
/* Sections of /etc/wsl.conf, which WSL does not read in .wslconfig. */
static const char *const distro_sections[] = { "boot", "automount", "interop", "network", "user" };

static void add(struct wslcfg_lint *l, enum wslcfg_kind kind, unsigned line, char *fix,
		const char *fmt, ...) _printf_(5, 6);
static void add(struct wslcfg_lint *l, enum wslcfg_kind kind, unsigned line, char *fix,
		const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = (struct wslcfg_finding){ .kind = kind, .line = line, .msg = msg, .fix = fix };
}

bool wslconfig_key_is_typo(const char *key)
{
	if (strcasecmp(key, "networkingMode") == 0)
		return false;
	/* networkMode, networking_mode, networkingmod, netwrokingMode, NetworkingModes ... */
	return strcase_distance(key, "networkingMode") <= 3 ||
	       strcase_distance(key, "networking_mode") == 0 ||
	       strcase_distance(key, "networking-mode") == 0;
}

static const char *closest_mode(const char *v)
{
	const char *best = "mirrored";
	unsigned bd = UINT_MAX;

	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		unsigned d = strcase_distance(v, modes[i]);
		if (d < bd)
			bd = d, best = modes[i];
	}
	return bd <= 3 ? best : "mirrored";
}

/* The mode a networkingMode value names, normalised, or NULL: wsl1 is wslinfo's word for a
 * WSL1 distro, not a value of the setting. */
static const char *setting_mode(const char *v)
{
	const char *m = wsl_mode_normalize(v);
	return m && !streq(m, "wsl1") ? m : NULL;
}

static bool is_distro_section(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(distro_sections); i++)
		if (strcasecmp(s, distro_sections[i]) == 0)
			return true;
	return false;
}

void wslconfig_lint(const struct ini_doc *doc, struct wslcfg_lint *out)
{
	const struct ini_entry *prev = NULL;

	*out = (struct wslcfg_lint){ 0 };
	for (size_t i = 0; i < doc->n_sections; i++) {
		const char *s = doc->sections[i].section;
		if (strcasecmp(s, "wsl2") != 0 && strcase_distance(s, "wsl2") <= 1)
			add(out, WSLCFG_SECTION, doc->sections[i].line, xstrdup("[wsl2]"),
			    "[%s] is not a section WSL reads: it ignores every key under it", s);
	}
	for (size_t i = 0; i < doc->n_entries; i++) {
		const struct ini_entry *e = &doc->entries[i];
		bool in_wsl2 = strcasecmp(e->section, "wsl2") == 0;
		if (strcasecmp(e->key, "networkingMode") == 0) {
			if (!in_wsl2) {
				add(out, WSLCFG_MISPLACED, e->line,
				    xasprintf("[wsl2]\nnetworkingMode=%s", e->value),
				    "networkingMode=%s is under %s%s%s, where WSL does not read it (it "
				    "belongs under [wsl2])",
				    e->value, *e->section ? "[" : "no section", e->section,
				    *e->section ? "]" : "");
				continue;
			}
			if (prev)
				add(out, WSLCFG_DUPLICATE, e->line, NULL,
				    "networkingMode is set twice in [wsl2] (line %u and line %u): the "
				    "last one counts",
				    prev->line, e->line);
			prev = e;
			if (!setting_mode(e->value))
				add(out, WSLCFG_BAD_VALUE, e->line,
				    xasprintf("networkingMode=%s", closest_mode(e->value)),
				    "networkingMode=\"%s\" is not a mode WSL knows (mirrored, nat, bridged, "
				    "virtioproxy, none): it falls back to NAT",
				    e->value);
		} else if (wslconfig_key_is_typo(e->key)) {
			add(out, WSLCFG_TYPO, e->line,
			    xasprintf("networkingMode=%s",
				      setting_mode(e->value) ? setting_mode(e->value) : "mirrored"),
			    "\"%s\" is not a WSL setting (WSL ignores it and stays on NAT): the key is "
			    "spelt networkingMode",
			    e->key);
		} else if (is_distro_section(e->section)) {
			add(out, WSLCFG_WRONG_FILE, e->line, xasprintf("[%s] %s=%s in /etc/wsl.conf",
								      e->section, e->key, e->value),
			    "[%s] %s is a setting of the distro: WSL ignores it in .wslconfig "
			    "(\"Unknown key '%s.%s'\"); it belongs in /etc/wsl.conf",
			    e->section, e->key, e->section, e->key);
		}
	}
	if (prev) {
		out->mode = prev->value;
		out->mode_line = prev->line;
	}
}

void wslcfg_lint_free(struct wslcfg_lint *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].msg);
		free(l->v[i].fix);
	}
	free(l->v);
	*l = (struct wslcfg_lint){ 0 };
}
