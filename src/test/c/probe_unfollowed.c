/* Who is traced: the process, its fork child, and the program its vfork child execs each print
 * whether a tracer is attached to them (TracerPid in /proc/self/status) and call add(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((noinline)) int add(int a, int b) {
    __asm__ volatile("" ::: "memory");
    return a + b;
}

static const char *traced(void) {
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "TracerPid:", 10) == 0) {
            fclose(f);
            return atoi(line + 10) != 0 ? "traced" : "not traced";
        }
    }
    return "unknown";
}

int main(int argc, char **argv) {
    if (argc > 1) { /* the vfork child's program */
        printf("%s: %s, add %d\n", argv[1], traced(), add(3, 3));
        return 0;
    }
    printf("parent: %s, add %d\n", traced(), add(1, 1));
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        printf("fork child: %s, add %d\n", traced(), add(2, 2));
        fflush(stdout);
        _exit(0);
    }
    waitpid(c, NULL, 0);
    pid_t v = vfork();
    if (v == 0) {
        execl(argv[0], argv[0], "vfork child's program", (char *) NULL);
        _exit(127);
    }
    waitpid(v, NULL, 0);
    printf("parent again: %s, add %d\n", traced(), add(4, 4));
    return 0;
}
