/* Runs for a while in two threads (sleeping between steps), then prints a checksum.
 * argv[1]: steps per thread (default 50); each step sleeps 10 ms. Prints "ready" at start. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static long steps = 50;
static unsigned long sums[2];

static void *work(void *arg) {
    long id = (long)arg;
    unsigned long s = 0;
    for (long i = 0; i < steps; i++) {
        for (long j = 0; j < 1000; j++) s = s * 31 + (unsigned long)(i ^ j ^ id);
        usleep(10000);
    }
    sums[id] = s;
    return NULL;
}

/* Its own function, so that a test can put a breakpoint on the end of the run. */
__attribute__((noinline)) static void finish(void) {
    printf("checksum %lx %lx\n", sums[0], sums[1]);
}

int main(int argc, char **argv) {
    if (argc > 1) steps = atol(argv[1]);
    printf("ready\n");
    fflush(stdout);
    pthread_t t;
    pthread_create(&t, NULL, work, (void *)1);
    work((void *)0);
    pthread_join(t, NULL);
    finish();
    return 0;
}
