/* SPDX-License-Identifier: MIT */
/* The wsl judge (wsl.interop, wsl.networking_mode, wsl.wslconfig, wsl.systemd,
 * wsl.tailscaled) on the WSL2 distros doctor_judges_test.c does not make: each way interop
 * breaks, each networking mode, a .wslconfig that cannot be read or is wrong, systemd asked
 * for but off, a tailscaled left behind. Made-up facts in, checks out. */
#include "doctor/doctor_fixture.h"

#include <errno.h>

#define WSLCONFIG "/mnt/c/Users/alice/.wslconfig"

/* A WSL2 distro in mode as wslinfo says, all well but what the test changes. */
static void wsl2(struct fx *x, const char *mode)
{
	fx_init(x, NODE_WSL2, mode);
	x->f.wsl.gathered = true;
	x->node.wsl.mode_source = MODE_FROM_WSLINFO;
}

static const struct check *judge(struct fx *x, const char *id)
{
	return fx_judge(x, doctor_judge_wsl, id);
}

static void interop(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	/* systemd-binfmt dropped WSL's entry (microsoft/WSL#8843). */
	wsl2(&x, "mirrored");
	x.node.wsl.binfmt_present = false;
	x.node.wsl.exe_error = -ENOEXEC;
	x.node.wsl.exe_error_program = (char *)"cmd.exe";
	c = judge(&x, "wsl.interop");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "no WSLInterop entry in /proc/sys/fs/binfmt_misc: running a .exe "
			       "fails with \"Exec format error\" (measured: cmd.exe)");
	assert_non_null(strstr(c->detail, "microsoft/WSL#8843"));
	assert_true(startswith(c->fix, "echo ':WSLInterop:M::MZ::/init:PF' | sudo tee "
				       "/usr/lib/binfmt.d/WSLInterop.conf"));
	/* Without systemd: WSL registers it at start. */
	x.node.systemd = false;
	c = judge(&x, "wsl.interop");
	assert_true(startswith(c->summary, "no WSLInterop entry"));
	assert_true(startswith(c->fix, "On Windows (PowerShell or cmd), run `wsl --shutdown`"));
	fx_free(&x);

	/* The entry is there but disabled. */
	wsl2(&x, "mirrored");
	x.node.wsl.binfmt_interop = false;
	c = judge(&x, "wsl.interop");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->fix, "echo 1 | sudo tee /proc/sys/fs/binfmt_misc/WSLInterop");
	fx_free(&x);

	/* A noexec drive: permission denied on the .exe. */
	wsl2(&x, "mirrored");
	x.node.wsl.exe_error = -EACCES;
	x.node.wsl.exe_error_program = (char *)"/mnt/c/Windows/System32/cmd.exe";
	c = judge(&x, "wsl.interop");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "/mnt/c/Windows/System32/cmd.exe could not be run: Permission denied");
	assert_non_null(strstr(c->detail, "noexec"));
	assert_true(startswith(c->fix, "Remove `noexec` from [automount] options"));
	x.node.wsl.exe_error = -ENOENT;
	c = judge(&x, "wsl.interop");
	assert_null(c->detail);
	assert_true(startswith(c->fix, "On Windows (PowerShell or cmd), run `wsl --shutdown`"));
	/* All well, cmd.exe ran. */
	x.node.wsl.exe_error = 0;
	x.node.wsl.exe_ran = true;
	c = judge(&x, "wsl.interop");
	assert_int_equal(c->status, CHECK_OK);
	assert_str(c->summary, "Windows programs run from this distro (binfmt WSLInterop enabled, "
			       "cmd.exe answered)");
	fx_free(&x);
}

static void networking_mode(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	/* Mirrored as configured, no wslinfo, but the host's mesh address is here. */
	wsl2(&x, "mirrored");
	x.node.wsl.mode_source = MODE_FROM_WSLCONFIG;
	c = judge(&x, "wsl.networking_mode");
	assert_int_equal(c->status, CHECK_OK);
	assert_str(c->summary, "mirrored (configured; the host's mesh address 100.64.0.3): this "
			       "distro shares the Windows host's addresses");
	/* ... and no address either: not confirmed. */
	x.node.n_addrs = 0;
	c = judge(&x, "wsl.networking_mode");
	assert_int_equal(c->status, CHECK_WARN);
	assert_true(startswith(c->summary, "mirrored is configured but not confirmed"));
	fx_free(&x);

	/* Configured mirrored, NAT by wslinfo, the Windows version not known. */
	wsl2(&x, "nat");
	x.node.wsl.configured_mode = (char *)"Mirrored";
	x.node.wsl.wslconfig = (char *)WSLCONFIG;
	x.node.wsl.configured_line = 2;
	c = judge(&x, "wsl.networking_mode");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "configured mirrored (" WSLCONFIG " line 2), but wslinfo says NAT");
	assert_true(startswith(c->detail, "Either .wslconfig changed"));
	/* A new enough Windows: the version in the words, not the upgrade. */
	x.f.wsl.asked_windows = true;
	x.f.wsl.winver = xstrdup("10.0.22631.4169");
	x.f.wsl.build = 22631;
	c = judge(&x, "wsl.networking_mode");
	assert_true(startswith(c->summary, "configured mirrored (" WSLCONFIG " line 2)"));
	assert_true(startswith(c->detail, "Windows 10.0.22631.4169. Either .wslconfig changed"));
	fx_free(&x);

	/* No network at all; a mode the guide does not cover. */
	wsl2(&x, "none");
	c = judge(&x, "wsl.networking_mode");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "none networking (wslinfo): this distro has no network at all");
	assert_true(startswith(c->fix, "meshnfs setup wsl   (sets [wsl2] networkingMode=mirrored)"));
	fx_free(&x);
	wsl2(&x, "bridged");
	c = judge(&x, "wsl.networking_mode");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "bridged networking (wslinfo): not a mode the guide covers");
	fx_free(&x);
}

static void wslconfig(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	/* Found but not readable as text. */
	wsl2(&x, "mirrored");
	x.node.wsl.wslconfig = (char *)WSLCONFIG;
	x.f.wsl.wslconfig_rc = -EBADMSG;
	snprintf(x.f.wsl.wslconfig_msg, sizeof(x.f.wsl.wslconfig_msg),
		 WSLCONFIG ":1: not UTF-8 or UTF-16");
	c = judge(&x, "wsl.wslconfig");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "cannot read .wslconfig: " WSLCONFIG ":1: not UTF-8 or UTF-16");
	assert_true(startswith(c->fix, "Save " WSLCONFIG " again as UTF-8 or UTF-16"));
	fx_free(&x);

	/* The key misspelt and in the wrong section: the first finding leads, the rest follow. */
	static const char bad[] = "[wsl]\nnetworkingMode=mirrored\n[wsl2]\nnetworkMode=mirrored\n";
	wsl2(&x, "nat");
	fx_wslconfig(&x, WSLCONFIG, bad, sizeof(bad) - 1);
	c = judge(&x, "wsl.wslconfig");
	assert_int_equal(c->status, CHECK_WARN);
	assert_true(startswith(c->summary, WSLCONFIG ":1: [wsl] is not a section WSL reads"));
	assert_non_null(strstr(c->detail, WSLCONFIG ":2: networkingMode=mirrored is under [wsl]"));
	assert_non_null(strstr(c->detail, "\n" WSLCONFIG ":4: \"networkMode\" is not a WSL setting"));
	assert_true(startswith(c->fix, "Edit " WSLCONFIG " line 1: write [wsl2], or run `meshnfs "
				       "setup wsl`"));
	fx_free(&x);

	/* The fixture Notepad saved (UTF-16LE, BOM, CRLF, comments): read as it is. */
	size_t len;
	_cleanup_free_ char *utf16 =
		fx_read("tests/fixtures/roots/wsl2-utf16-wslconfig/mnt/c/Users/dave/.wslconfig", &len);
	wsl2(&x, "mirrored");
	fx_wslconfig(&x, "/mnt/c/Users/dave/.wslconfig", utf16, len);
	c = judge(&x, "wsl.wslconfig");
	assert_int_equal(c->status, CHECK_OK);
	assert_str(c->summary, "/mnt/c/Users/dave/.wslconfig:4: [wsl2] networkingMode=mirrored "
			       "(utf-16le-bom, CRLF)");
	fx_free(&x);

	/* No networkingMode at all. */
	static const char none[] = "[wsl2]\nmemory=8GB\n";
	wsl2(&x, "nat");
	fx_wslconfig(&x, WSLCONFIG, none, sizeof(none) - 1);
	c = judge(&x, "wsl.wslconfig");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, WSLCONFIG " has no [wsl2] networkingMode: WSL uses NAT");
	assert_true(startswith(c->fix, "meshnfs setup wsl   (adds [wsl2] networkingMode=mirrored"));
	fx_free(&x);
}

static void systemd(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	/* Asked for in wsl.conf, not running. */
	wsl2(&x, "mirrored");
	x.node.systemd = false;
	x.node.wsl.conf_boot_systemd = SETTING_ON;
	c = judge(&x, "wsl.systemd");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "/etc/wsl.conf asks for systemd ([boot] systemd=true) but systemd "
			       "is not running");
	assert_non_null(strstr(c->detail, "0.67.6"));
	fx_free(&x);

	/* mountFsTab off: an NFS line is not mounted at start, but x-systemd.* does nothing. */
	wsl2(&x, "mirrored");
	x.node.systemd = false;
	x.node.wsl.conf_mount_fstab = SETTING_OFF;
	snprintf(x.f.wsl.fstab.nfs, sizeof(x.f.wsl.fstab.nfs), "100.64.0.1:/opt/shared on /opt/shared");
	snprintf(x.f.wsl.fstab.xsystemd, sizeof(x.f.wsl.fstab.xsystemd), "/opt/shared");
	c = judge(&x, "wsl.systemd");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "x-systemd.* options in /etc/fstab (/opt/shared) do nothing: "
			       "systemd is not running");
	/* Nothing needs it; an fstab that could not be read is said. */
	x.f.wsl.fstab.nfs[0] = x.f.wsl.fstab.xsystemd[0] = '\0';
	c = judge(&x, "wsl.systemd");
	assert_int_equal(c->status, CHECK_OK);
	assert_str(c->summary, "systemd is off; nothing in /etc/fstab needs it");
	snprintf(x.f.wsl.fstab.error, sizeof(x.f.wsl.fstab.error), "/etc/fstab:3: bad line");
	c = judge(&x, "wsl.systemd");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "systemd is off; nothing in /etc/fstab needs it (/etc/fstab:3: bad "
			       "line)");
	fx_free(&x);

	/* Running, with the automount options. */
	wsl2(&x, "mirrored");
	snprintf(x.f.wsl.fstab.xsystemd, sizeof(x.f.wsl.fstab.xsystemd), "/opt/shared");
	assert_str(judge(&x, "wsl.systemd")->summary,
		   "systemd is running: the x-systemd.* options in /etc/fstab take effect");
	fx_free(&x);
}

static void tailscaled(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	/* Only its interface is left, no systemd: the interface goes. */
	wsl2(&x, "mirrored");
	x.node.systemd = false;
	x.node.tailscale_iface = true;
	x.node.tailscaled_socket = true;
	c = judge(&x, "wsl.tailscaled");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "a tailscaled runs inside WSL2 (tailscale0 present, socket present)");
	assert_non_null(strstr(c->detail, "asymmetric routing"));
	assert_true(startswith(c->fix, "sudo ip link delete tailscale0; then remove the node"));
	/* A process, no systemd: it is killed. */
	x.node.tailscaled_pid = 77;
	x.f.wsl.tailscaled_enabled = true;
	c = judge(&x, "wsl.tailscaled");
	assert_str(c->summary, "a tailscaled runs inside WSL2 (pid 77, tailscale0 present, enabled "
			       "at boot, socket present)");
	assert_true(startswith(c->fix, "sudo kill 77; "));
	fx_free(&x);

	/* Not running, but enabled; not running, its socket left over. */
	wsl2(&x, "mirrored");
	x.f.wsl.tailscaled_enabled = true;
	c = judge(&x, "wsl.tailscaled");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "tailscaled is not running inside WSL2, but it is enabled and starts "
			       "with the distro");
	assert_str(c->fix, "sudo systemctl disable --now tailscaled");
	x.f.wsl.tailscaled_enabled = false;
	x.node.tailscaled_socket = true;
	c = judge(&x, "wsl.tailscaled");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->fix, "sudo rm /var/run/tailscale/tailscaled.sock");
	x.node.tailscaled_socket = false;
	c = judge(&x, "wsl.tailscaled");
	assert_int_equal(c->status, CHECK_OK);
	fx_free(&x);

	/* Not gathered: no check at all. */
	fx_init(&x, NODE_WSL2, "mirrored");
	doctor_judge_wsl(&x.f, &x.r);
	assert_int_equal(x.r.n_checks, 0);
	fx_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(interop), cmocka_unit_test(networking_mode),
		cmocka_unit_test(wslconfig), cmocka_unit_test(systemd),
		cmocka_unit_test(tailscaled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
