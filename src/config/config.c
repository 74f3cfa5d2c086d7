/* SPDX-License-Identifier: MIT */
#include "config/config.h"

#include "core/root.h"
#include "format/ini.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <strings.h>

#define CONFIG_MAX_SIZE (256 * 1024)

enum value_kind { V_HOST, V_PATH, V_OPTIONS, V_RANGE };

/* One row per accepted key: adding a setting is adding a row. */
static const struct config_key {
	const char *section, *key;
	enum value_kind kind;
	size_t offset;
} keys[] = {
	{ "server", "address", V_HOST, offsetof(struct config, server) },
	{ "server", "export", V_PATH, offsetof(struct config, export_path) },
	{ "client", "mountpoint", V_PATH, offsetof(struct config, mountpoint) },
	{ "client", "options", V_OPTIONS, offsetof(struct config, mount_options) },
	{ "mesh", "range", V_RANGE, offsetof(struct config, mesh) },
};

int config_check_host(const char *s)
{
	uint32_t a;
	size_t n = strlen(s);

	if (ipv4_parse(s, &a) == 0)
		return 0;
	/* A DNS name (MagicDNS or /etc/hosts): labels of letters, digits and '-'. */
	if (n == 0 || n > 253 || s[0] == '.' || s[0] == '-')
		return -EINVAL;
	bool all_digits_dots = true;
	for (const char *p = s; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			return -EINVAL;
		if (isalpha((unsigned char)*p) || *p == '-')
			all_digits_dots = false;
	}
	/* "100.64.0" or "1.2.3.4.5" are typos of addresses, not names. */
	return all_digits_dots ? -EINVAL : 0;
}

int config_check_abs_path(const char *s)
{
	size_t n = strlen(s);

	if (s[0] != '/' || n > 1024 || !str_is_printable(s, n))
		return -EINVAL;
	for (const char *p = s; (p = strstr(p, "/..")); p += 3)
		if (p[3] == '/' || p[3] == '\0')
			return -EINVAL;
	return 0;
}

int config_check_mount_options(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 1024 || s[0] == ',' || s[n - 1] == ',' || strstr(s, ",,"))
		return -EINVAL;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.=,:/-+@", *p))
			return -EINVAL;
	return 0;
}

void config_defaults(struct config *c)
{
	config_free(c);
	c->server = xstrdup("100.64.0.1");
	c->export_path = xstrdup("/opt/shared");
	c->mountpoint = xstrdup("/opt/shared");
	c->mount_options =
		xstrdup("_netdev,x-systemd.automount,x-systemd.idle-timeout=600,soft,timeo=150");
	cidr_parse("100.64.0.0/10", true, &c->mesh);
}

static int apply(const char *file, const struct ini_entry *e, struct config *c,
		 struct diag *diag)
{
	const struct config_key *k = NULL;
	bool section_known = false;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (strcasecmp(keys[i].section, e->section) != 0)
			continue;
		section_known = true;
		if (strcasecmp(keys[i].key, e->key) == 0)
			k = &keys[i];
	}
	if (!section_known)
		return diag_set(diag, file, e->line, "unknown section [%s]", e->section);
	if (!k)
		return diag_set(diag, file, e->line, "unknown key \"%s\" in [%s]", e->key, e->section);

	void *slot = (char *)c + k->offset;
	switch (k->kind) {
	case V_HOST:
		if (config_check_host(e->value) < 0)
			return diag_set(diag, file, e->line,
					"%s: \"%s\" is not an IPv4 address or host name", e->key, e->value);
		break;
	case V_PATH:
		if (config_check_abs_path(e->value) < 0)
			return diag_set(diag, file, e->line, "%s: \"%s\" is not an absolute path",
					e->key, e->value);
		break;
	case V_OPTIONS:
		if (config_check_mount_options(e->value) < 0)
			return diag_set(diag, file, e->line, "%s: invalid mount options \"%s\"",
					e->key, e->value);
		break;
	case V_RANGE: {
		int r = cidr_parse(e->value, true, slot);
		if (r == -EDOM)
			return diag_set(diag, file, e->line,
					"%s: \"%s\" has host bits set (did you mean the network address?)",
					e->key, e->value);
		if (r < 0)
			return diag_set(diag, file, e->line, "%s: \"%s\" is not an IPv4 CIDR range",
					e->key, e->value);
		return 0;
	}
	}
	char **s = slot;
	free(*s);
	*s = xstrdup(e->value);
	return 0;
}

int config_parse(const char *file, const char *data, size_t len, struct config *c,
		 struct diag *diag)
{
	struct ini_doc doc = { 0 };
	int r = ini_parse_buffer(file, data, len, false, &doc, diag);

	for (size_t i = 0; r == 0 && i < doc.n_entries; i++) {
		if (!doc.entries[i].section[0])
			r = diag_set(diag, file, doc.entries[i].line, "key \"%s\" outside of a section",
				     doc.entries[i].key);
		else
			r = apply(file, &doc.entries[i], c, diag);
	}
	for (size_t i = 0; r == 0 && i < doc.n_sections; i++) {
		bool known = false;
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
			known |= strcasecmp(keys[k].section, doc.sections[i].section) == 0;
		if (!known)
			r = diag_set(diag, file, doc.sections[i].line, "unknown section [%s]",
				     doc.sections[i].section);
	}
	ini_doc_free(&doc);
	return r;
}

int config_load(const char *path, struct config *c, struct diag *diag)
{
	_cleanup_free_ char *resolved = NULL, *data = NULL;
	size_t len;
	int r;

	config_defaults(c);
	resolved = path ? xstrdup(path) : root_path(CONFIG_DEFAULT_PATH);
	r = read_file_bounded(resolved, CONFIG_MAX_SIZE, &data, &len);
	if (r == -ENOENT && !path)
		return 0;
	if (r == -EFBIG)
		return diag_set(diag, resolved, 0, "larger than %d KiB", CONFIG_MAX_SIZE / 1024);
	if (r < 0)
		return diag_set(diag, resolved, 0, "cannot read: %s", strerror(-r));
	size_t bom = len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	r = config_parse(resolved, data + bom, len - bom, c, diag);
	if (r == 0)
		c->source = TAKE_PTR(resolved);
	return r;
}

void config_free(struct config *c)
{
	free(c->server);
	free(c->export_path);
	free(c->mountpoint);
	free(c->mount_options);
	free(c->source);
	*c = (struct config){ 0 };
}
