#ifndef RUA_CZLIB_SHIM_H
#define RUA_CZLIB_SHIM_H
#include <zlib.h>

// inflateInit2 is a macro, which Swift cannot call.
static inline int rua_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
// deflateInit2 is a macro too (used by tests to build real gzip and zlib bytes).
static inline int rua_deflateInit2(z_streamp stream, int level, int windowBits) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}
#endif
