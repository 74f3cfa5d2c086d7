/* SPDX-License-Identifier: MIT */
/* What kind of node this is (native Linux, WSL1, WSL2 and its networking mode) and the facts
 * that follow from it. Read-only: files under --root, and on WSL the programs the WSL docs name
 * (wslinfo, cmd.exe, wslpath) on PATH. No network traffic. */
#pragma once

#include "config/config.h"
#include "format/text.h"

#include <sys/types.h>

enum node_kind {
	NODE_LINUX,
	NODE_WSL1,
	NODE_WSL2,
};

enum mode_source {
	MODE_FROM_WSLINFO,
	MODE_FROM_WSLCONFIG,
	MODE_FROM_DEFAULT,
};

/* A tri-state for settings that may be absent from a file. */
enum setting {
	SETTING_UNSET = -1,
	SETTING_OFF = 0,
	SETTING_ON = 1,
};

/* The systemd unit of Tailscale a mount can wait for, by the unit files installed (under
 * /etc, /run, /lib and /usr/lib systemd/system): tailscale-online.target runs `tailscale wait`
 * (the interface up with its address: Tailscale 1.96.0) and ships in Tailscale's packages
 * since 1.98.0; before that only tailscaled.service. */
enum node_ts_unit {
	NODE_TS_UNIT_NONE,
	NODE_TS_UNIT_TAILSCALED,    /* tailscaled.service */
	NODE_TS_UNIT_ONLINE_TARGET, /* tailscale-online.target */
};

struct wsl_info {
	char *networking_mode; /* effective: mirrored|nat|bridged|virtioproxy|none|wsl1|unknown */
	enum mode_source mode_source;
	char *configured_mode; /* [wsl2] networkingMode in .wslconfig, as written, or NULL */
	unsigned configured_line;
	char *wslconfig;       /* resolved path of %USERPROFILE%\.wslconfig when found, or NULL */
	char *wslconfig_target; /* where it is or would be (%USERPROFILE% known through interop,
				   or the one found by scanning), or NULL: what `setup wsl` writes */
	enum text_encoding wslconfig_encoding;
	bool wslconfig_crlf;
	enum setting conf_boot_systemd; /* /etc/wsl.conf [boot] systemd */
	enum setting conf_mount_fstab;  /* [automount] mountFsTab (WSL's default: on) */
	enum setting conf_interop;      /* [interop] enabled (WSL's default: on) */
	bool binfmt_interop;            /* binfmt_misc WSLInterop registered and enabled */
	bool binfmt_present;            /* a WSLInterop entry exists (enabled or not) */
	bool interop;                   /* Windows programs can run: binfmt and wsl.conf agree */
	int exe_error;                  /* negative errno of a Windows program that could not be
					   executed (-ENOEXEC: "Exec format error"), or 0 */
	char *exe_error_program;        /* that program */
	bool exe_ran;                   /* a Windows program (cmd.exe) did run */
	char *conf_hostname;            /* /etc/wsl.conf [network] hostname, or NULL */
};

struct node_info {
	enum node_kind kind;
	char *kind_reason;  /* the evidence, one line */
	char *osrelease;    /* kernel release, or NULL */
	char *distro;       /* os-release PRETTY_NAME, or NULL */
	char *hostname;     /* /etc/hostname, else /proc/sys/kernel/hostname, or NULL */
	bool debian_like;
	bool systemd;       /* systemd is PID 1 (sd_booted: /run/systemd/system exists) */
	bool tun;           /* /dev/net/tun exists */
	pid_t tailscaled_pid;    /* a local tailscaled process, or 0 */
	bool tailscaled_socket;  /* /var/run/tailscale/tailscaled.sock exists */
	bool tailscale_iface;    /* /sys/class/net/tailscale0 exists */
	enum node_ts_unit ts_unit; /* what systemd can order a mount after (unit files) */
	bool addrs_known;        /* /proc/net/fib_trie was readable */
	uint32_t *addrs;         /* this node's addresses inside the mesh range */
	size_t n_addrs;
	bool addrs6_known;       /* /proc/net/if_inet6 was readable */
	struct netaddr *addrs6;  /* this node's usable IPv6 addresses inside [mesh] range6 */
	size_t n_addrs6;
	bool is_wsl; /* kind is WSL1 or WSL2: wsl is filled */
	struct wsl_info wsl;
	char **warnings; /* input problems met on the way, "FILE:LINE: problem" */
	size_t n_warnings;
};

/* The fstab options for the share on this node: options adapted to systemd (no x-systemd.*
 * and 'bg' without it: fstab_options_for_node) and, where systemd runs Tailscale's units and
 * this is not WSL (WSL2 rides the Windows host's Tailscale), the ordering that makes the mount
 * wait for the mesh (fstab_mesh_order_option), unless options order it already. New string. */
char *node_fstab_options(const struct node_info *n, const char *options);
/* The ordering option for n (NULL when none applies): what node_fstab_options adds. */
const char *node_mesh_order_option(const struct node_info *n);

/* The kind, from the kernel's release and version strings and two WSL-only paths. Pure, so
 * tests and the fuzzer can feed it anything. reason gets a new one-line string. */
enum node_kind node_kind_from(const char *osrelease, const char *version, bool wsl_interop,
			      bool mnt_wsl, char **reason);
const char *node_kind_name(enum node_kind k);
const char *mode_source_name(enum mode_source s);
/* Normalises a networking mode as wslinfo prints it or .wslconfig spells it: one of the known
 * names, or NULL when unknown. */
const char *wsl_mode_normalize(const char *s);

/* Detects everything above. Never fails on bad foreign input: problems become warnings. */
int node_detect(const struct config *cfg, int timeout_ms, struct node_info *out);
void node_info_free(struct node_info *n);

/* n holds the mesh address a, IPv4 or IPv6. */
bool node_holds_netaddr(const struct node_info *n, const struct netaddr *a);
/* n holds the server address (an IPv4 literal; a name never matches): this node is the NFS
 * server, so the client's checks and repairs do not apply to it. */
bool node_is_server(const struct node_info *n, const char *server);

/* The Windows version through interop (`cmd.exe /c ver`, run from /mnt/c): "10.0.19045.4717"
 * in *out_ver (a new string), its build number (19045) in *out_build. Returns 0, or a
 * negative errno (no interop, no cmd.exe, unexpected output). */
int wsl_windows_version(int timeout_ms, char **out_ver, unsigned *out_build);
/* Parses the output of `ver` ("Microsoft Windows [Version 10.0.19045.4717]", any language). */
int wsl_parse_ver(const char *text, char **out_ver, unsigned *out_build);
/* The first Windows 11 build with mirrored networking (22H2). */
#define WSL_MIRRORED_MIN_BUILD 22621u

struct listeners;
/* The listening TCP sockets of this network namespace (<root>/proc/net/tcp and tcp6), appended
 * to out. -EBADMSG or a read error with diag naming the file. */
int node_listeners(struct listeners *out, struct diag *diag);
