#include <sqlite3.h>

/// Process-wide SQLite settings, made before the first connection opens (sqlite3_config takes variable
/// arguments, which Swift cannot pass). Multi-thread mode: each connection is used by one thread at a
/// time (GRDB serializes every connection), so SQLite's per-connection mutexes only cost time. No memory
/// statistics: they take a global mutex on every allocation. Savepoint journals of up to 4 MiB kept in
/// memory in one piece: SQLite's in-memory journal (temp_store = MEMORY) grows 1 KiB at a time, an
/// allocation for every quarter page an import's savepoints save (see ReportDatabase.withImportBatch).
/// Returns SQLITE_OK, or SQLITE_MISUSE when SQLite was initialized already (the settings then stay as
/// they were, which is harmless).
static inline int rua_sqlite_configure(void) {
    int threading = sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    int statistics = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    int spill = sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, 4 << 20);
    return threading != SQLITE_OK ? threading : statistics != SQLITE_OK ? statistics : spill;
}
