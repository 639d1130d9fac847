import Foundation
import Glibc

/// A TCP proxy on loopback to a local server that cuts its first connection after the server has sent
/// `cutAfter` bytes (later connections pass whole): a network that fails in the middle of a transfer.
public final class CuttingProxy {
    public let port: Int
    private let process: Process
    private let directory: TemporaryDirectory

    private static let script = """
        import os, socket, sys, threading
        directory, target, cut = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        with open(os.path.join(directory, "port.part"), "w") as f:
            f.write(str(listener.getsockname()[1]))
        os.rename(os.path.join(directory, "port.part"), os.path.join(directory, "port"))
        first = [True]
        def pipe(source, sink, limit):
            sent = 0
            try:
                while True:
                    data = source.recv(4096)
                    if not data:
                        break
                    if limit is not None and sent + len(data) >= limit:
                        sink.sendall(data[:limit - sent])
                        break
                    sink.sendall(data)
                    sent += len(data)
            except OSError:
                pass
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
        while True:
            client, _ = listener.accept()
            server = socket.create_connection(("127.0.0.1", target))
            limit = cut if first[0] else None
            first[0] = False
            threading.Thread(target=pipe, args=(server, client, limit), daemon=True).start()
            threading.Thread(target=pipe, args=(client, server, None), daemon=True).start()
        """

    public init(targetPort: Int, cutAfter: Int) throws {
        directory = try TemporaryDirectory()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", Self.script, directory.url.path, String(targetPort), String(cutAfter)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var found: Int?
        for _ in 0..<100 where found == nil {
            found = (try? String(contentsOfFile: directory.url.path + "/port", encoding: .utf8)).flatMap { Int($0) }
            if found == nil { usleep(50_000) }
        }
        guard let found else {
            kill(process.processIdentifier, SIGKILL)
            throw HTTPSTestServer.TestServerError(description: "the cutting proxy did not start")
        }
        port = found
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
