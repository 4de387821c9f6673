// A C++ exception unwinds through frames whose return probes are pending.
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

__attribute__((noinline)) int thrower(int n) {
    if (n == 0) {
        throw std::runtime_error("bottom");
    }
    return thrower(n - 1) + 1;
}

__attribute__((noinline)) int caller(int n) {
    try {
        return thrower(n);
    } catch (const std::exception &e) {
        std::printf("caught %s at %d\n", e.what(), n);
        return -n;
    }
}

int main(int argc, char **argv) {
    int n = argc > 1 ? std::atoi(argv[1]) : 3;
    int a = caller(n);
    int b = caller(n + 1);
    std::printf("%d %d\n", a, b);
    return 0;
}
