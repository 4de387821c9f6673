/* ticker THREADS SLEEP_US: THREADS threads that call tick() forever, sleeping SLEEP_US microseconds
 * between calls (0: a tight loop), until killed: the busy program bench/lib/sigkill.sh probes. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static volatile unsigned long ticks;
static long sleep_us;

__attribute__((noinline, noipa)) unsigned long tick(unsigned long i) { return ticks += i & 1; }

static void *run(void *arg) {
    (void) arg;
    for (unsigned long i = 0;; i++) {
        tick(i);
        if (sleep_us > 0) usleep((useconds_t) sleep_us);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: ticker THREADS SLEEP_US\n"); return 2; }
    int threads = atoi(argv[1]);
    sleep_us = atol(argv[2]);
    pthread_t t;
    for (int i = 1; i < threads; i++) pthread_create(&t, NULL, run, NULL);
    run(NULL);
    return 0;
}
