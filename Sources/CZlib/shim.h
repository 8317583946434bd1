#ifndef BBS_CZLIB_SHIM_H
#define BBS_CZLIB_SHIM_H
// zlib for gRPC's gzip message encoding. deflateInit2/inflateInit2 are macros; these wrap them.
#include <zlib.h>

static inline int czlib_deflateInit2(z_streamp stream, int level, int windowBits) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}

static inline int czlib_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
#endif
