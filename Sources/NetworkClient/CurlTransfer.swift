@_exported import CCurl

/// One libcurl easy transfer (SMTP submission or an HTTPS POST): the options set, the bytes to upload,
/// the answer collected, and the outcome as a ``NetworkError`` that names the server and the reason.
public final class CurlTransfer {
    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    private let handle: UnsafeMutableRawPointer
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    private var lists: [UnsafeMutablePointer<curl_slist>] = []
    private let exchange = Exchange()
    /// The URL with any credentials left out, for messages.
    public let server: String

    /// The upload and the collected answer; libcurl's callbacks reach it through an unretained pointer.
    private final class Exchange {
        var upload: [UInt8] = []
        var offset = 0
        var answer: [UInt8] = []
        var answerLimit = 64 * 1024
        var answerCut = false
    }

    public init(url: String, server: String) throws {
        guard Self.initialized, let handle = curl_easy_init() else {
            throw NetworkError(.unavailable, "\(server): libcurl could not be initialised")
        }
        self.handle = handle
        self.server = server
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        set(CURLOPT_URL, url)
        set(CURLOPT_ERRORBUFFER, pointer: errorBuffer)
        // No signals (rua may run threads), bounded waits, certificates verified (libcurl's default, said
        // once more so that no build setting can change it).
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_CONNECTTIMEOUT, 30)
        set(CURLOPT_LOW_SPEED_LIMIT, 1)
        set(CURLOPT_LOW_SPEED_TIME, 60)
        set(CURLOPT_SSL_VERIFYPEER, 1)
        set(CURLOPT_SSL_VERIFYHOST, 2)
        let context = Unmanaged.passUnretained(exchange).toOpaque()
        set(CURLOPT_READDATA, pointer: context)
        set(CURLOPT_WRITEDATA, pointer: context)
        _ = rua_curl_set_function(handle, CURLOPT_READFUNCTION) { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            let exchange = Unmanaged<Exchange>.fromOpaque(context).takeUnretainedValue()
            let length = min(size * count, exchange.upload.count - exchange.offset)
            exchange.upload.withUnsafeBytes { bytes in
                UnsafeMutableRawPointer(buffer).copyMemory(
                    from: bytes.baseAddress! + exchange.offset, byteCount: length)
            }
            exchange.offset += length
            return length
        }
        _ = rua_curl_set_function(handle, CURLOPT_WRITEFUNCTION) { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            let exchange = Unmanaged<Exchange>.fromOpaque(context).takeUnretainedValue()
            let length = size * count
            let kept = min(length, exchange.answerLimit - exchange.answer.count)
            if kept > 0 {
                exchange.answer += UnsafeRawBufferPointer(start: buffer, count: kept)
            }
            if kept < length { exchange.answerCut = true }
            return length
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        for list in lists { curl_slist_free_all(list) }
        errorBuffer.deallocate()
    }

    public func set(_ option: CURLoption, _ value: Int) {
        _ = rua_curl_set_long(handle, option, value)
    }

    /// libcurl copies string options: the C string need live only for the call.
    public func set(_ option: CURLoption, _ value: String) {
        _ = value.withCString { rua_curl_set_string(handle, option, $0) }
    }

    public func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) {
        _ = rua_curl_set_pointer(handle, option, pointer)
    }

    public func set(_ option: CURLoption, pointer: UnsafeMutablePointer<CChar>) {
        _ = rua_curl_set_pointer(handle, option, UnsafeMutableRawPointer(pointer))
    }

    /// A list option (recipients, HTTP headers); the list lives as long as the transfer.
    public func set(_ option: CURLoption, list: [String]) {
        var head: UnsafeMutablePointer<curl_slist>? = nil
        for item in list { head = item.withCString { curl_slist_append(head, $0) } }
        guard let head else { return }
        lists.append(head)
        _ = rua_curl_set_list(handle, option, head)
    }

    /// The bytes sent as the upload (the message, the POST body).
    public func upload(_ bytes: [UInt8]) {
        exchange.upload = bytes
        exchange.offset = 0
    }

    /// The server's answer (an HTTP body), as far as it was kept.
    public var answer: String { String(decoding: exchange.answer, as: UTF8.self) }

    /// The answer's Content-Type (HTTP), when it had one.
    public var contentType: String? {
        var value: UnsafeMutablePointer<CChar>?
        guard rua_curl_get_string(handle, CURLINFO_CONTENT_TYPE, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }

    /// Whether the answer was longer than what is kept (``answerLimit``).
    public var answerCut: Bool { exchange.answerCut }

    /// Keep at most this many bytes of the answer.
    public func keepAnswer(upTo limit: Int) { exchange.answerLimit = limit }

    /// The last response code: SMTP's (250, 535 …) or HTTP's (200, 404 …).
    public var responseCode: Int {
        var code = 0
        _ = rua_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    /// Runs the transfer; throws what went wrong in words naming ``server``.
    public func perform(login: String? = nil) throws {
        let code = curl_easy_perform(handle)
        guard code != CURLE_OK else { return }
        let detail = String(cString: errorBuffer)
        let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let response = responseCode
        switch code {
        case CURLE_LOGIN_DENIED:
            throw NetworkError(
                .refused,
                "\(server): the server refused the login\(login.map { " for \($0)" } ?? "")"
                    + (response > 0 ? " (\(response))" : "") + ": \(reason)")
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CONNECT_ERROR,
            CURLE_SSL_CERTPROBLEM:
            throw NetworkError(
                .unavailable, "\(server): TLS failed, the server's certificate could not be verified or used: \(reason)"
            )
        case CURLE_USE_SSL_FAILED:
            throw NetworkError(
                .unavailable,
                "\(server): the server offers no STARTTLS, and rua does not send mail or passwords in clear (smtps:// uses TLS from the start)"
            )
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_GOT_NOTHING:
            throw NetworkError(.unavailable, "\(server): unreachable: \(reason)")
        case CURLE_RECV_ERROR where response == 0, CURLE_SEND_ERROR where response == 0:
            throw NetworkError(.unavailable, "\(server): the connection failed: \(reason)")
        default:
            if (400..<500).contains(response) {
                throw NetworkError(.temporary, "\(server): the server deferred the message (\(response)): \(reason)")
            }
            throw NetworkError(
                .rejected, "\(server): " + (response > 0 ? "the server answered \(response): " : "") + reason)
        }
    }
}
