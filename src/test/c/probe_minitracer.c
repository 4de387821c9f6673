/* A minimal ptrace tracer in C, the baseline for the trap engine's cost per hit: an int3 at target's
 * entry, the displaced instruction run out of line from a slot (one stop per hit), the two argument
 * registers recorded; with "ret" also a return probe (return address swapped for a trampoline, the
 * return value recorded at the trampoline stop). No formatting, no output per hit.
 *   probe_minitracer entry|ret|both BIN N TARGET_OFF XOL_OFF TRAMP_OFF  (file offsets, hex) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static long base_of(pid_t pid, const char *bin) {
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    FILE *f = fopen(path, "r");
    char *real = realpath(bin, NULL);
    long base = -1;
    while (fgets(line, sizeof line, f)) {
        unsigned long start, off;
        if (strstr(line, real) && sscanf(line, "%lx-%*lx %*s %lx", &start, &off) == 2 && off == 0) {
            base = (long) start;
            break;
        }
    }
    fclose(f);
    return base;
}

static long recorded[3];

int main(int argc, char **argv) {
    if (argc < 7) {
        fprintf(stderr, "usage: %s entry|ret|both BIN N TARGET_OFF XOL_OFF TRAMP_OFF\n", argv[0]);
        return 2;
    }
    int entry = strcmp(argv[1], "ret") != 0, ret = strcmp(argv[1], "entry") != 0;
    pid_t c = fork();
    if (c == 0) {
        ptrace(PTRACE_TRACEME, 0, 0, 0);
        execl(argv[2], argv[2], argv[3], (char *) NULL);
        _exit(127);
    }
    int st;
    waitpid(c, &st, 0); /* the exec stop */
    long base = base_of(c, argv[2]);
    long target = base + strtol(argv[4], NULL, 16), slot = base + strtol(argv[5], NULL, 16),
         tramp = base + strtol(argv[6], NULL, 16);
    char mem[64];
    snprintf(mem, sizeof mem, "/proc/%d/mem", c);
    int fd = open(mem, O_RDWR);
    unsigned char code[32];
    pread(fd, code, 4, target); /* lea (%rdi,%rsi),%eax: 4 bytes, no RIP-relative operand */
    memcpy(code + 4, "\xff\x25\0\0\0\0", 6); /* jmp *0(%rip) */
    long back = target + 4;
    memcpy(code + 10, &back, 8);
    pwrite(fd, code, 18, slot);
    pwrite(fd, "\xcc", 1, target);
    long stack[64];
    int depth = 0;
    ptrace(PTRACE_CONT, c, 0, 0);
    struct user_regs_struct r;
    while (waitpid(c, &st, 0) == c && WIFSTOPPED(st)) {
        if (WSTOPSIG(st) != SIGTRAP) {
            ptrace(PTRACE_CONT, c, 0, WSTOPSIG(st));
            continue;
        }
        ptrace(PTRACE_GETREGS, c, 0, &r);
        if (r.rip - 1 == (unsigned long) target) {
            if (entry) {
                recorded[0] += r.rdi;
                recorded[1] += r.rsi;
            }
            if (ret && depth < 64) {
                long ra = ptrace(PTRACE_PEEKDATA, c, r.rsp, 0);
                stack[depth++] = ra;
                ptrace(PTRACE_POKEDATA, c, r.rsp, tramp);
            }
            r.rip = slot;
        } else if (r.rip - 1 == (unsigned long) tramp && depth > 0) {
            recorded[2] += r.rax;
            r.rip = stack[--depth];
        }
        ptrace(PTRACE_SETREGS, c, 0, &r);
        ptrace(PTRACE_CONT, c, 0, 0);
    }
    fprintf(stderr, "recorded %ld %ld %ld\n", recorded[0], recorded[1], recorded[2]);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
