/* SPDX-License-Identifier: MIT */
/* What a node's `meshnfs doctor --json` sends back over ssh (a report, or a bad-input error
 * on exit 65), and ssh's stderr, as fleet_classify reads them. The first byte picks the exit
 * status; the rest is stdout and, after a NUL, stderr. */
#include "fuzz.h"
#include "fleet/fleet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int codes[] = { 0, 1, 2, 65, 255, 127 };
	struct fleet_row row = { 0 };

	if (size < 1)
		return 0;
	char *s = fuzz_cstr(data + 1, size - 1);
	size_t out_len = strlen(s);
	const char *err = out_len < size - 1 ? s + out_len + 1 : "";
	struct spawn_result res = {
		.exit_code = codes[data[0] % ARRAY_SIZE(codes)],
		.out = s,
		.out_len = out_len,
		.err = (char *)err,
		.err_len = strlen(err),
	};
	fleet_classify(0, &res, &row);
	if (fleet_result_status(row.result) != CHECK_OK && row.result != FLEET_WARN &&
	    row.result != FLEET_FAIL && !row.reason)
		abort(); /* every non-verdict row says why */
	/* A remote summary or fix is kept whatever its bytes (the escaping streams show it);
	 * an id is a token: never a control character. */
	for (size_t i = 0; i < row.n_checks; i++)
		for (const char *p = row.checks[i].id; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				abort();
	/* The extras fleet compares across nodes: names and addresses as validated. */
	FUZZ_ASSERT(row.ids.n_users <= FLEET_MAX_USERS && row.n_clients <= FLEET_MAX_CLIENTS);
	FUZZ_ASSERT(!row.ids.present || row.ids.n_users == 0 || row.ids.users);
	for (size_t i = 0; i < row.ids.n_users; i++)
		FUZZ_ASSERT(row.ids.users[i].name[0] && !strpbrk(row.ids.users[i].name, " \t\n\x1b"));
	for (size_t i = 0; i < row.n_clients; i++) {
		FUZZ_ASSERT(row.clients[i].address[0]);
		FUZZ_ASSERT(!row.clients[i].host || !strpbrk(row.clients[i].host, " \t\n\x1b"));
	}
	FUZZ_ASSERT(row.result != FLEET_ERROR || (!row.ids.present && !row.has_clients));
	struct fleet_row *rows = xcalloc(1, sizeof(*rows));
	rows[0] = row;
	fleet_rows_free(rows, 1);
	free(s);
	return 0;
}
