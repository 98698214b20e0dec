#ifndef MAILSCOPE_CSQLITE_SHIM_H
#define MAILSCOPE_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
