import Foundation
import Glibc

/// A local HTTPS server (Python's http.server behind TLS with a certificate from a throwaway CA made by
/// openssl) that records every POST and answers with a chosen status: the far end of a webhook.
public final class HTTPSTestServer {
    public let port: Int
    /// The CA file that verifies the server's certificate.
    public let caFile: String
    private let process: Process
    private let directory: TemporaryDirectory

    public static var canRun: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")
    }

    private static let script = """
        import http.server, json, os, ssl, sys
        directory, status, host, port = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
        content_type = sys.argv[5]
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = open(os.path.join(directory, "body"), "rb").read() if os.path.exists(os.path.join(directory, "body")) else b""
                self.send_response(status)
                if status in (301, 302):
                    self.send_header("Location", "https://elsewhere.example/")
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                count = len(os.listdir(os.path.join(directory, "requests")))
                with open(os.path.join(directory, "requests", f"{count:04d}.json"), "w") as f:
                    json.dump({"path": self.path, "content_type": self.headers.get("Content-Type"),
                               "body": body.decode("utf-8")}, f)
                answer = b'{"ok": true}' if status < 300 else b"no such hook"
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            def log_message(self, *args):
                pass
        server = http.server.HTTPServer((host, port), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(directory, "server.crt"), os.path.join(directory, "server.key"))
        server.socket = context.wrap_socket(server.socket, server_side=True)
        with open(os.path.join(directory, "port.part"), "w") as f:
            f.write(str(server.server_address[1]))
        os.rename(os.path.join(directory, "port.part"), os.path.join(directory, "port"))
        server.serve_forever()
        """

    /// Starts a server that answers every POST with `status`, and every GET with `status` and `body`
    /// as `contentType`; its certificate names `names` (and localhost, 127.0.0.1).
    public init(
        status: Int = 200, host: String = "127.0.0.1", port: Int = 0, names: [String] = [], body: String? = nil,
        contentType: String = "text/plain"
    ) throws {
        directory = try TemporaryDirectory()
        let dir = directory.url.path
        try FileManager.default.createDirectory(atPath: dir + "/requests", withIntermediateDirectories: true)
        let commands = [
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Webhook test CA",
                "-keyout", "\(dir)/ca.key", "-out", "\(dir)/ca.crt",
            ],
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "\(dir)/server.key",
                "-out", "\(dir)/server.csr",
            ],
            [
                "x509", "-req", "-in", "\(dir)/server.csr", "-CA", "\(dir)/ca.crt", "-CAkey", "\(dir)/ca.key",
                "-CAcreateserial", "-days", "2", "-extfile", "\(dir)/ext.cnf", "-out", "\(dir)/server.crt",
            ],
        ]
        let alternatives = (["DNS:localhost", "IP:127.0.0.1"] + names.map { "DNS:" + $0 }).joined(separator: ",")
        try "subjectAltName=\(alternatives)\n".write(toFile: dir + "/ext.cnf", atomically: true, encoding: .utf8)
        if let body { try body.write(toFile: dir + "/body", atomically: true, encoding: .utf8) }
        for arguments in commands {
            let openssl = Process()
            openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            openssl.arguments = arguments
            openssl.standardOutput = FileHandle.nullDevice
            openssl.standardError = FileHandle.nullDevice
            try openssl.run()
            openssl.waitUntilExit()
        }
        caFile = dir + "/ca.crt"
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", Self.script, dir, String(status), host, String(port), contentType]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The server writes its port to a file once it listens.
        var port: Int?
        for _ in 0..<100 where port == nil {
            port = (try? String(contentsOfFile: dir + "/port", encoding: .utf8)).flatMap { Int($0) }
            if port == nil { usleep(100_000) }
        }
        guard let port else {
            kill(process.processIdentifier, SIGKILL)
            throw TestServerError(description: "the HTTPS test server did not start")
        }
        self.port = port
    }

    deinit {
        // SIGKILL: a child of the test runner may inherit a mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The POSTs received so far: path, content type and body.
    public var requests: [(path: String, contentType: String, body: String)] {
        let folder = directory.url.path + "/requests"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        return names.compactMap { name in
            guard let data = FileManager.default.contents(atPath: folder + "/" + name),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { return nil }
            return (
                object["path"] as? String ?? "", object["content_type"] as? String ?? "",
                object["body"] as? String ?? ""
            )
        }
    }

    public struct TestServerError: Error, CustomStringConvertible {
        public var description: String
    }
}
