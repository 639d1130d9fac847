import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Threads that help an import along (deflating a large original, hashing a large file) run at a lower
/// priority: they take the time the writer leaves idle, and the reader, which sets the pace of a large
/// import, keeps its core.
public enum HelperThread {
    /// Runs `body` on a new thread, niced by 10 (Linux nices each thread on its own).
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            #if canImport(Glibc)
                // On Linux the nice value is per thread; 0 names the calling one.
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            #endif
            body()
        }
        thread.name = name
        thread.start()
    }
}
