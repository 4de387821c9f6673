/*
 * A minimal ptrace tracer in C: the baseline the trap engine is measured against. It does the
 * least a one-stop-per-hit tracer can do:
 *   - an int3 on the probed instruction; the displaced instruction runs out of line from a slot
 *     (followed by an absolute jump back), so a hit costs one stop;
 *   - entry: records the two argument registers; return: swaps the return address for a
 *     trampoline (an int3) and records the return value when it is hit;
 *   - no formatting, no output per hit.
 * The slot area is mapped into the tracee by running mmap(2) there once, at the exec stop.
 *
 *   minitracer [--poll NS] [--columns] entry|return|both FUNC_OFFSET INSN_LEN -- PROGRAM [ARGS]
 *
 * FUNC_OFFSET is the probed function's file offset (hex), INSN_LEN the length of its first
 * instruction, which must be position independent (no RIP-relative operand, no branch).
 * --poll NS: after resuming the tracee, poll waitpid(WNOHANG) for up to NS nanoseconds before
 * sleeping in waitpid (the wait policy of probe4j's trap engine); default 0, always sleep.
 * --columns: also read at each hit, while the tracee is stopped, what a trace line's TASK and CPU#
 * columns show, as probe4j's trap engine does: the name from /proc/PID/task/TID/comm and the CPU
 * from the thread's rseq area.
 * Exits with the program's status. Prints "stops N" (probe hits) on stderr.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/* Where PROGRAM's file offset 0 is mapped. */
static long load_base(pid_t pid, const char *program) {
    char path[64], line[4096];
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    FILE *f = fopen(path, "r");
    char *real = realpath(program, NULL);
    long base = -1;
    while (f && real && fgets(line, sizeof line, f)) {
        unsigned long start, off;
        char *name = strchr(line, '/');
        if (name && strncmp(name, real, strlen(real)) == 0 && name[strlen(real)] == '\n'
            && sscanf(line, "%lx-%*x %*s %lx", &start, &off) == 2 && off == 0) {
            base = (long) start;
            break;
        }
    }
    if (f) fclose(f);
    free(real);
    return base;
}

/* Runs mmap(NULL, 4096, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) in the stopped
 * tracee by writing `syscall; int3` at its instruction pointer for one step. */
static long remote_mmap(pid_t pid, int mem) {
    struct user_regs_struct saved, r;
    unsigned char code[3] = {0x0f, 0x05, 0xcc}, orig[3];
    int st;
    ptrace(PTRACE_GETREGS, pid, 0, &saved);
    pread(mem, orig, 3, (off_t) saved.rip);
    pwrite(mem, code, 3, (off_t) saved.rip);
    r = saved;
    r.rax = SYS_mmap;
    r.rdi = 0;
    r.rsi = 4096;
    r.rdx = PROT_READ | PROT_EXEC;
    r.r10 = MAP_PRIVATE | MAP_ANONYMOUS;
    r.r8 = (unsigned long) -1;
    r.r9 = 0;
    ptrace(PTRACE_SETREGS, pid, 0, &r);
    ptrace(PTRACE_CONT, pid, 0, 0);
    waitpid(pid, &st, 0);
    ptrace(PTRACE_GETREGS, pid, 0, &r);
    pwrite(mem, orig, 3, (off_t) saved.rip);
    ptrace(PTRACE_SETREGS, pid, 0, &saved);
    return (long) r.rax;
}

/* The TASK and CPU# of a stopped thread: its comm, and cpu_id of its struct rseq (offset 4). */
static void read_columns(pid_t pid, int comm_fd, long rseq, char *comm, int *cpu) {
    ssize_t n = pread(comm_fd, comm, 16, 0);
    comm[n > 0 ? n - 1 : 0] = 0;
    struct iovec local = {cpu, 4}, remote = {(void *) (rseq + 4), 4};
    process_vm_readv(pid, &local, 1, &remote, 1, 0);
}

static int next_stop(pid_t pid, int *st, long poll_ns) {
    if (poll_ns > 0) {
        long until = now_ns() + poll_ns;
        do {
            int w = waitpid(pid, st, WNOHANG);
            if (w != 0) return w;
        } while (now_ns() < until);
    }
    return waitpid(pid, st, 0);
}

int main(int argc, char **argv) {
    long poll_ns = 0;
    int a = 1, columns = 0;
    if (a + 1 < argc && strcmp(argv[a], "--poll") == 0) {
        poll_ns = atol(argv[a + 1]);
        a += 2;
    }
    if (a < argc && strcmp(argv[a], "--columns") == 0) {
        columns = 1;
        a++;
    }
    if (argc - a < 5 || strcmp(argv[a + 3], "--") != 0) {
        fprintf(stderr, "usage: %s [--poll NS] [--columns] entry|return|both FUNC_OFFSET INSN_LEN -- PROGRAM [ARGS]\n", argv[0]);
        return 2;
    }
    int entry = strcmp(argv[a], "return") != 0, ret = strcmp(argv[a], "entry") != 0;
    long func_off = strtol(argv[a + 1], NULL, 16), len = atol(argv[a + 2]);
    char **program = argv + a + 4;
    pid_t c = fork();
    if (c == 0) {
        ptrace(PTRACE_TRACEME, 0, 0, 0);
        execv(program[0], program);
        _exit(127);
    }
    int st;
    waitpid(c, &st, 0); /* the exec stop */
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", c);
    int mem = open(path, O_RDWR);
    long func = load_base(c, program[0]) + func_off;
    long area = remote_mmap(c, mem);
    /* the slot: the displaced instruction, then jmp *0(%rip) back behind it; the trampoline: int3 */
    unsigned char code[64];
    long back = func + len, slot = area, tramp = area + 32;
    pread(mem, code, len, func);
    memcpy(code + len, "\xff\x25\0\0\0\0", 6);
    memcpy(code + len + 6, &back, 8);
    pwrite(mem, code, len + 14, slot);
    pwrite(mem, "\xcc", 1, tramp);
    pwrite(mem, "\xcc", 1, func);

    long recorded = 0, stops = 0, stack[64], rseq = 0;
    char comm[17];
    int cpu = 0, comm_fd = -1;
    if (columns) {
        snprintf(path, sizeof path, "/proc/%d/task/%d/comm", c, c);
        comm_fd = open(path, O_RDONLY);
    }
    int depth = 0;
    struct user_regs_struct r;
    ptrace(PTRACE_CONT, c, 0, 0);
    while (next_stop(c, &st, poll_ns) == c && WIFSTOPPED(st)) {
        if (WSTOPSIG(st) != SIGTRAP) {
            ptrace(PTRACE_CONT, c, 0, WSTOPSIG(st));
            continue;
        }
        ptrace(PTRACE_GETREGS, c, 0, &r);
        if (columns) {
            if (rseq == 0) { /* PTRACE_GET_RSEQ_CONFIGURATION: the area's address is the first field */
                long conf[4] = {0};
                ptrace(0x420f, c, sizeof conf, conf);
                rseq = conf[0];
            }
            read_columns(c, comm_fd, rseq, comm, &cpu);
            recorded += cpu + comm[0];
        }
        if (r.rip - 1 == (unsigned long) func) {
            stops++;
            if (entry) recorded += r.rdi + r.rsi;
            if (ret && depth < 64) {
                stack[depth++] = ptrace(PTRACE_PEEKDATA, c, r.rsp, 0);
                ptrace(PTRACE_POKEDATA, c, r.rsp, tramp);
            }
            r.rip = slot;
        } else if (r.rip - 1 == (unsigned long) tramp && depth > 0) {
            stops++;
            recorded += r.rax;
            r.rip = stack[--depth];
        }
        ptrace(PTRACE_SETREGS, c, 0, &r);
        ptrace(PTRACE_CONT, c, 0, 0);
    }
    fprintf(stderr, "stops %ld (recorded %ld)\n", stops, recorded);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
