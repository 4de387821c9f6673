/* tracerwatch PID: when the process PID gets a tracer and when it is let go, as a tracer's target sees it.
 * Reads /proc/PID/status every millisecond and prints "traced US" the first time TracerPid is not 0 and
 * "released US" the first time after that it is 0 again (CLOCK_REALTIME in microseconds, the clock of
 * bash's $EPOCHREALTIME), then exits; also exits when PID ends ("gone US").
 * A millisecond is the resolution: polling faster would take a core from the tracer being measured. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* TracerPid of the process, -1 when it is gone */
static int tracer_of(const char *status) {
    FILE *f = fopen(status, "r");
    if (!f) return -1;
    char line[256];
    int tracer = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "TracerPid:", 10) == 0) { tracer = atoi(line + 10); break; }
    }
    fclose(f);
    return tracer;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: tracerwatch PID\n"); return 2; }
    char status[64];
    snprintf(status, sizeof status, "/proc/%s/status", argv[1]);
    struct timespec ms = {0, 1000000};
    int traced = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (;;) {
        int t = tracer_of(status);
        if (t < 0) { printf("gone %lld\n", now_us()); return 0; }
        if (!traced && t > 0) { printf("traced %lld\n", now_us()); traced = 1; }
        else if (traced && t == 0) { printf("released %lld\n", now_us()); return 0; }
        nanosleep(&ms, NULL);
    }
}
