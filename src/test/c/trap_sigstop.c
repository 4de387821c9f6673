/* Stops itself with SIGSTOP; a child continues it with SIGCONT once it sees it stopped. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int conts;
static void on_cont(int sig) { (void)sig; conts++; }

/* state letter of process pid: 'T' stopped, 't' stopped while traced */
static char state_of(pid_t pid) {
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return '?';
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    return p ? p[2] : '?';
}

int main(void) {
    signal(SIGCONT, on_cont);
    printf("stopping\n");
    fflush(stdout);
    pid_t parent = getpid();
    pid_t c = fork();
    if (c == 0) {
        while (state_of(parent) != 'T' && state_of(parent) != 't') usleep(1000);
        usleep(20000);
        kill(parent, SIGCONT);
        _exit(0);
    }
    raise(SIGSTOP);
    printf("continued, SIGCONT handled %d time(s)\n", conts);
    int st;
    waitpid(c, &st, 0);
    printf("helper exited %d\n", WEXITSTATUS(st));
    return 0;
}
