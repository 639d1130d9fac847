#include <sqlite3.h>

/// Process-wide SQLite settings, made before the first connection opens (sqlite3_config takes variable
/// arguments, which Swift cannot pass). Multi-thread mode: each connection is used by one thread at a
/// time (GRDB serializes every connection), so SQLite's per-connection mutexes only cost time. No memory
/// statistics: they take a global mutex on every allocation. The statement journal's spill size is not
/// set: SQLite's unix VFS writes at most 128 KiB per call, and a larger spill, written to its temporary
/// file in one piece, comes back as a zero-byte write that SQLite reports as "database or disk is full".
/// Returns SQLITE_OK, or SQLITE_MISUSE when SQLite was initialized already (the settings then stay as
/// they were, which is harmless).
static inline int rua_sqlite_configure(void) {
    int threading = sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    int statistics = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return threading != SQLITE_OK ? threading : statistics;
}
