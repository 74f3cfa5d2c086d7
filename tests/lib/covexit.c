/* Linked into build/meshnfs-cov only (-Wl,--wrap=_exit): a forked child that ends with _exit
 * writes its gcov counters first, so tests/mutate --cli cover sees the lines that only such a
 * child runs (mount/health.c's probe child, watch's, ceph_cli's). */
#include <unistd.h>

void __gcov_dump(void);
void __real__exit(int status) __attribute__((noreturn));
void __wrap__exit(int status) __attribute__((noreturn));

void __wrap__exit(int status)
{
	__gcov_dump();
	__real__exit(status);
}
