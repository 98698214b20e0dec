#ifndef MAILSCOPE_CZLIB_SHIM_H
#define MAILSCOPE_CZLIB_SHIM_H
#include <zlib.h>
#endif
