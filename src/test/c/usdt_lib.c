/* A library usdt_demo loads with dlopen: a USDT probe with a semaphore in a position-independent file. */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

unsigned short lib_call_semaphore __attribute__((unused)) __attribute__((section(".probes")));
static long lib_calls;

int usdt_lib_call(int n) {
    lib_calls += n;
    if (lib_call_semaphore) {
        DTRACE_PROBE2(lib, call, n, lib_calls);
    }
    return lib_call_semaphore;
}
