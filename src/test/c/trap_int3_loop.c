/* Executes int3 argv[1] times (default 1000) and prints how many it did. Untraced it dies of SIGTRAP
 * unless argv[2] is "handle", which installs a SIGTRAP handler. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void ignore(int sig) { (void)sig; }

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000;
    if (argc > 2 && strcmp(argv[2], "handle") == 0) signal(SIGTRAP, ignore);
    long i;
    for (i = 0; i < n; i++) __asm__ volatile("int3");
    printf("%ld int3 done\n", i);
    return 0;
}
