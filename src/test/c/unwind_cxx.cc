// Frames through libstdc++: a stream buffer's xsputn called from std::ostream's inserter
// (std::__ostream_insert, compiled into libstdc++), and a std::sort comparator (a template
// instantiated here, with mangled C++ names to demangle).
#include <algorithm>
#include <cstdio>
#include <ostream>
#include <streambuf>
#include <vector>

namespace probe4j {
struct Counter : std::streambuf {
    long written = 0;
    __attribute__((noipa)) std::streamsize xsputn(const char *s, std::streamsize n) override {
        written += n + (s[0] == 0);
        return n;
    }
};

__attribute__((noipa)) bool less_than(int a, int b) {
    return a < b;
}
}  // namespace probe4j

__attribute__((noipa)) long write_to(std::ostream &os, const char *text) {
    os << text;
    return 1;
}

int main() {
    probe4j::Counter buf;
    std::ostream os(&buf);
    long r = write_to(os, "hello");
    std::vector<int> v{5, 3, 9, 1, 7};
    std::sort(v.begin(), v.end(), [](int a, int b) { return probe4j::less_than(a, b); });
    std::printf("%ld %ld %d\n", r, buf.written, v[0]);
    return 0;
}
