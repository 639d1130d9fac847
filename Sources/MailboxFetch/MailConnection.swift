import CTLS
import Glibc
import NetworkClient

/// A TCP connection to a mail server, in clear until ``startTLS(caFile:)`` and then through OpenSSL:
/// the certificate verified against the system's trust store (or a CA file) and for the host name or
/// address connected to. Blocking, buffered, with a timeout on every read and write.
final class MailConnection {
    let host: String
    let port: Int
    /// `imaps://host:port` or the like, for messages.
    let server: String
    private var descriptor: Int32 = -1
    private var context: OpaquePointer?
    private var tls: OpaquePointer?
    private var buffer = [UInt8](repeating: 0, count: 65_536)
    private var start = 0
    private var end = 0

    init(host: String, port: Int, server: String, timeout: Int) throws {
        self.host = host
        self.port = port
        self.server = server
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &found)
        guard status == 0, let first = found else {
            throw NetworkError(
                .unavailable, "\(server): cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        var lastError: Int32 = 0
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let address = candidate {
            candidate = address.pointee.ai_next
            let socketDescriptor = socket(
                address.pointee.ai_family, address.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue),
                address.pointee.ai_protocol)
            guard socketDescriptor >= 0 else {
                lastError = errno
                continue
            }
            Self.setTimeout(socketDescriptor, seconds: timeout)
            if connect(socketDescriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 {
                descriptor = socketDescriptor
                break
            }
            lastError = errno
            Glibc.close(socketDescriptor)
        }
        guard descriptor >= 0 else {
            throw NetworkError(.unavailable, "\(server): cannot connect: \(String(cString: strerror(lastError)))")
        }
    }

    deinit { close() }

    static func setTimeout(_ descriptor: Int32, seconds: Int) {
        var time = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    }

    /// How long a read may wait (IDLE waits longer than a command).
    func setReadTimeout(seconds: Int) {
        var time = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Starts TLS on the connection (at once for imaps://, after STARTTLS for imap://).
    func startTLS(caFile: String?) throws {
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw NetworkError(.unavailable, "\(server): OpenSSL could not set up TLS")
        }
        self.context = context
        _ = rua_tls_set_minimum_version(context)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        // The system's trust store, and a private CA besides when one is given.
        SSL_CTX_set_default_verify_paths(context)
        if let caFile {
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                throw NetworkError(.usage, "--ca-file \(caFile): not a PEM file of CA certificates")
            }
        }
        guard let tls = SSL_new(context) else {
            throw NetworkError(.unavailable, "\(server): OpenSSL could not set up TLS")
        }
        self.tls = tls
        SSL_set_fd(tls, descriptor)
        let parameters = SSL_get0_param(tls)
        var address = in6_addr()
        if inet_pton(AF_INET, host, &address) == 1 || inet_pton(AF_INET6, host, &address) == 1 {
            X509_VERIFY_PARAM_set1_ip_asc(parameters, host)
        } else {
            _ = rua_tls_set_server_name(tls, host)
            SSL_set1_host(tls, host)
        }
        if buffered > 0 {
            throw NetworkError(.protocolError, "\(server): the server sent data before TLS began")
        }
        guard SSL_connect(tls) == 1 else {
            let verification = SSL_get_verify_result(tls)
            if verification != X509_V_OK {
                let reason = String(cString: X509_verify_cert_error_string(verification))
                throw NetworkError(
                    .unavailable, "\(server): TLS failed, the server's certificate is not trusted: \(reason)")
            }
            throw NetworkError(.unavailable, "\(server): TLS failed: \(Self.openSSLError())")
        }
    }

    static let timedOut = "the server did not answer in time"

    static func openSSLError() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return "the connection was closed during the handshake" }
        var text = [UInt8](repeating: 0, count: 256)
        text.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { ERR_error_string_n(code, $0.baseAddress, $0.count) }
        }
        return String(decoding: text.prefix { $0 != 0 }, as: UTF8.self)
    }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { chunk -> Int in
                if let tls { return Int(SSL_write(tls, chunk.baseAddress, Int32(chunk.count))) }
                return Glibc.send(descriptor, chunk.baseAddress, chunk.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else {
                if errno == EINTR { continue }
                throw NetworkError(.unavailable, "\(server): the connection was lost while sending")
            }
            offset += written
        }
    }

    private var buffered: Int { end - start }

    /// Reads more bytes into the buffer; false at the end of the stream.
    private func fill() throws -> Bool {
        if start == end {
            start = 0
            end = 0
        } else if end == buffer.count {
            buffer.replaceSubrange(0..<(end - start), with: buffer[start..<end])
            end -= start
            start = 0
        }
        while true {
            errno = 0
            let count = buffer.withUnsafeMutableBytes { space -> Int in
                let free = UnsafeMutableRawBufferPointer(rebasing: space[end...])
                if let tls { return Int(SSL_read(tls, free.baseAddress, Int32(free.count))) }
                return Glibc.recv(descriptor, free.baseAddress, free.count, 0)
            }
            if count > 0 {
                end += count
                return true
            }
            if count == 0 && tls == nil { return false }
            // A signal (SIGTERM under --watch): a socket with a timeout is not restarted by the kernel.
            if errno == EINTR { continue }
            // The socket's timeout ran out (SSL_read reports it as a failed read with EAGAIN).
            if errno == EAGAIN || errno == EWOULDBLOCK {
                errno = 0
                throw NetworkError(.unavailable, "\(server): \(Self.timedOut)")
            }
            if count == 0 { return false }
            throw NetworkError(
                .unavailable,
                "\(server): the connection was lost" + (tls == nil ? ": \(String(cString: strerror(errno)))" : ""))
        }
    }

    /// A line without its CR LF; `limit` bounds its length.
    func readLine(limit: Int = 1 << 20) throws -> [UInt8] {
        var line: [UInt8] = []
        while true {
            if let newline = buffer[start..<end].firstIndex(of: 10) {
                line += buffer[start..<newline]
                start = newline + 1
                if line.last == 13 { line.removeLast() }
                return line
            }
            line += buffer[start..<end]
            start = end
            guard line.count <= limit else {
                throw NetworkError(.protocolError, "\(server): a response line longer than \(limit) bytes")
            }
            guard try fill() else { throw NetworkError(.unavailable, "\(server): the server closed the connection") }
        }
    }

    /// Exactly `count` bytes, passed to `sink` as they arrive.
    func read(count: Int, into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        var remaining = count
        while remaining > 0 {
            if buffered == 0 {
                guard try fill() else {
                    throw NetworkError(.unavailable, "\(server): the server closed the connection in a message")
                }
            }
            let take = min(remaining, buffered)
            try buffer.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[start..<(start + take)])) }
            start += take
            remaining -= take
        }
    }

    func close() {
        if let tls {
            SSL_shutdown(tls)
            SSL_free(tls)
            self.tls = nil
        }
        if let context {
            SSL_CTX_free(context)
            self.context = nil
        }
        if descriptor >= 0 {
            Glibc.close(descriptor)
            descriptor = -1
        }
    }
}
