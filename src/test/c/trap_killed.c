/* Dies of a signal: "segv" by a fault, "term" by raise(SIGTERM), "usr1" by kill(SIGUSR1). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *how = argc > 1 ? argv[1] : "term";
    printf("dying by %s\n", how);
    fflush(stdout);
    if (strcmp(how, "segv") == 0) {
        volatile int *p = (int *)16;
        *p = 1;
    } else if (strcmp(how, "usr1") == 0) {
        kill(getpid(), SIGUSR1);
    } else {
        raise(SIGTERM);
    }
    printf("still alive\n");
    return 0;
}
