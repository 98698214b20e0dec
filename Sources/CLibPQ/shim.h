#ifndef MAILSCOPE_CLIBPQ_SHIM_H
#define MAILSCOPE_CLIBPQ_SHIM_H
// libpq, PostgreSQL's C client (Debian: libpq-dev; its headers are in /usr/include/postgresql,
// found through pkg-config's libpq.pc).
#include <libpq-fe.h>
#endif
