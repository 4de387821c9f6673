/* USDT probes without semaphores, linked into usdt_demo: constants, and the forms the kernel cannot fetch. */
#include <sys/sdt.h>

__thread int plain_tls = 11;
int plain_table[8] = {10, 11, 12, 13, 14, 15, 16, 17};

__attribute__((noinline)) void plain_probes(int i) {
    DTRACE_PROBE3(plain, constants, 5, -3, 1L << 40);
    DTRACE_PROBE2(plain, tls, i, plain_tls);
    DTRACE_PROBE2(plain, indexed, i, plain_table[i & 7]);
    plain_tls++;
}
