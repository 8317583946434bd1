#ifndef BBS_CNGHTTP2_SHIM_H
#define BBS_CNGHTTP2_SHIM_H
// nghttp2 1.52 (Debian 12) has only the v1 APIs; wrappers for newer versions go here.
#include <nghttp2/nghttp2.h>
#endif
