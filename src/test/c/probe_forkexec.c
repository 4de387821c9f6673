/* fork inside a function with a pending return probe, vfork + exec, exec of itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((noinline)) int add(int a, int b) {
    __asm__ volatile("" ::: "memory");
    return a + b;
}

__attribute__((noinline)) int forker(int x) {
    pid_t c = fork();
    if (c == 0) {
        return add(x, 100); /* the child returns through forker's hijacked return address too */
    }
    waitpid(c, NULL, 0);
    return add(x, 200);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "exec") == 0) {
        printf("exec'ed: %d\n", add(40, 2));
        fflush(stdout);
        return 5;
    }
    if (argc > 1 && strcmp(argv[1], "vforked") == 0) {
        _exit(add(7, 7) == 14 ? 0 : 1);
    }
    add(1, 1);
    int r = forker(10);
    printf("forker %d in %s\n", r, r > 200 ? "parent" : "child");
    fflush(stdout);
    if (r < 200) {
        _exit(0);
    }
    pid_t v = vfork();
    if (v == 0) {
        execl(argv[0], argv[0], "vforked", (char *) NULL);
        _exit(127);
    }
    int st;
    waitpid(v, &st, 0);
    printf("vfork child status %d\n", WEXITSTATUS(st));
    fflush(stdout);
    execl(argv[0], argv[0], "exec", (char *) NULL);
    return 1;
}
