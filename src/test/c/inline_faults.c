/*
 * A program the inline-engine fault test traces: it maps the test's rings (a memfd reached through
 * /proc/JVMPID/fd/N, laid out by the pieces given as arguments) and two pages near its own code for a
 * trampoline, prints where everything is, stops itself, and once resumed calls if_target with good
 * and bad pointers. A load of the trampoline that faults stops it under ptrace; the test redirects it
 * to the load's fixup, as the inline engine's tracer will.
 *
 *   inline_faults MEMFD VSIZE OFF:LEN:FILEOFF...
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/rseq.h>
#include <unistd.h>

struct s {
    unsigned long v;
    const char *name;
};

__attribute__((noinline)) long if_target(const struct s *p, const char *str) {
    __asm__ volatile("" ::: "memory");
    return (long)p ^ (long)str;
}

int main(int argc, char **argv) {
    int fd = open(argv[1], O_RDWR);
    if (fd < 0) { perror("open"); return 2; }
    unsigned long vsize = strtoul(argv[2], 0, 0);
    char *rings = mmap(0, vsize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    for (int i = 3; i < argc; i++) {
        unsigned long off, len, foff;
        sscanf(argv[i], "%lx:%lx:%lx", &off, &len, &foff);
        if (mmap(rings + off, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, foff) == MAP_FAILED) {
            perror("mmap ring"); return 2;
        }
    }
    char *area = MAP_FAILED;
    for (unsigned long d = 1 << 24; d < 1UL << 30 && area == MAP_FAILED; d += 1 << 20) {
        void *want = (void *)((((unsigned long)if_target) & ~0xfffUL) + d);
        area = mmap(want, 8192, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    }
    mprotect(area + 4096, 4096, PROT_READ | PROT_WRITE);
    char *pages = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(pages + 4096, 4096, PROT_NONE);
    char *edge = pages + 4096; /* the first unreadable byte */
    printf("ready %lx %lx %lx %lx %ld %d\n", (unsigned long)rings, (unsigned long)area, (unsigned long)if_target,
           (unsigned long)edge, (long)__rseq_offset, getpid());
    fflush(stdout);
    raise(SIGSTOP);

    static struct s good = {0x1122334455667788UL, "hello"};
    struct s *badname = (struct s *)pages;
    badname->v = 42;
    badname->name = (const char *)0x20;
    char *runs = edge - 5;
    memcpy(runs, "abcde", 5); /* no NUL before the unreadable page */
    unsigned char *straddle = (unsigned char *)edge - 2;
    straddle[0] = 0xab;
    straddle[1] = 0xcd;
    long r = 0;
    r ^= if_target(&good, "string one");
    r ^= if_target((const struct s *)0x10, (const char *)0x10);
    r ^= if_target((const struct s *)edge, edge);
    r ^= if_target(badname, "x");
    r ^= if_target(&good, runs);
    r ^= if_target((const struct s *)straddle, "y");
    printf("result %lx\n", r);
    return 0;
}
