/* SPDX-License-Identifier: MIT */
/* core/lazylib.h with a library every Debian system has (libm.so.6; the test links -lm too,
 * so dlopen hands back the loaded one): a symbol is had and works, a missing one and a missing
 * library are NULL with the reason. Mutation run 3: lazylib_sym's pthread_once(load)
 * dropped (nothing ever loaded) passed the unit tests the run picked for lazylib.c. */
#include "core/test.h"
#include "core/lazylib.h"
#include "core/core_private.h"

static struct lazylib libm = LAZYLIB_INIT("libm.so.6");
static struct lazylib nolib = LAZYLIB_INIT("libmeshnfs-no-such-library.so.0");

static void symbol_of_a_real_library(void **state)
{
	(void)state;
	double (*cbrt_)(double) = (double (*)(double))lazylib_sym(&libm, "cbrt");
	assert_non_null(cbrt_);
	assert_true(cbrt_(27.0) > 2.999 && cbrt_(27.0) < 3.001);
	assert_null(lazylib_sym(&libm, "meshnfs_no_such_function"));
	assert_non_null(strstr(lazylib_error(), "meshnfs_no_such_function"));
	assert_null(lazylib_missing(&libm));
}

static void missing_library(void **state)
{
	(void)state;
	assert_null(lazylib_sym(&nolib, "anything"));
	assert_non_null(strstr(lazylib_error(), "libmeshnfs-no-such-library.so.0"));
	/* dlerror's words, kept with the library (the probe's "cannot create an NFS context"
	 * says them instead of "Cannot allocate memory"). */
	assert_non_null(lazylib_missing(&nolib));
	assert_non_null(strstr(lazylib_missing(&nolib), "libmeshnfs-no-such-library.so.0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(symbol_of_a_real_library),
		cmocka_unit_test(missing_library),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
