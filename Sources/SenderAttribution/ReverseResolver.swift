import CAres
import Glibc
import ReportModel

/// Where and how to ask DNS.
public struct DNSConfiguration: Sendable {
    /// `HOST[:PORT]` (IPv6 as `[::1]:53`); nil for the system resolver (`/etc/resolv.conf`).
    public var server: String?
    /// Per-query timeout, milliseconds, and how many times a query is sent.
    public var timeoutMilliseconds: Int32
    public var tries: Int32
    /// Most lookups in flight at once.
    public var concurrency: Int

    public init(server: String? = nil, timeoutMilliseconds: Int32 = 2_000, tries: Int32 = 2, concurrency: Int = 32) {
        self.server = server
        self.timeoutMilliseconds = timeoutMilliseconds
        self.tries = tries
        self.concurrency = concurrency
    }
}

/// Reverse DNS with forward confirmation through c-ares: for each address its PTR name, then whether that
/// name resolves back to the address. Lookups run concurrently (bounded), each with a timeout. The only
/// file that talks to c-ares; single-threaded.
public final class ReverseResolver {
    public struct SetupError: Error, CustomStringConvertible {
        public let description: String
    }

    private var channel: ares_channel?
    private let concurrency: Int
    /// How many DNS queries were sent (PTR and forward): what the cache tests count.
    public private(set) var queries = 0

    public init(_ configuration: DNSConfiguration) throws {
        let status = ares_library_init(ARES_LIB_INIT_ALL)
        guard status == ARES_SUCCESS else { throw SetupError(description: "c-ares: \(Self.message(status))") }
        var options = ares_options()
        options.timeout = Int32(configuration.timeoutMilliseconds)
        options.tries = configuration.tries
        var channel: ares_channel?
        // DNS only ("b"): with the hosts file as a fallback, a lookup that timed out would come back as
        // "not found" and be cached as "no PTR" for a day.
        let initialized = Self.dnsOnly.withCString { lookups in
            options.lookups = UnsafeMutablePointer(mutating: lookups)
            return ares_init_options(&channel, &options, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS)
        }
        guard initialized == ARES_SUCCESS, let channel else {
            throw SetupError(description: "cannot set up DNS: \(Self.message(initialized))")
        }
        self.channel = channel
        concurrency = max(1, configuration.concurrency)
        if let server = configuration.server {
            let servers = Self.serverCSV(server)
            let set = servers.withCString { ares_set_servers_ports_csv(channel, $0) }
            guard set == ARES_SUCCESS else {
                ares_destroy(channel)
                self.channel = nil
                throw SetupError(description: "--dns-server '\(server)': \(Self.message(set))")
            }
        }
    }

    deinit {
        if let channel { ares_destroy(channel) }
    }

    private static let dnsOnly = "b"

    /// `HOST[:PORT]` as c-ares wants it: IPv4 `1.2.3.4:53`, IPv6 `[::1]:53`; a bare IPv6 address is
    /// bracketed.
    static func serverCSV(_ server: String) -> String {
        if server.filter({ $0 == ":" }).count > 1 && !server.hasPrefix("[") { return "[\(server)]" }
        return server
    }

    static func message(_ status: Int32) -> String {
        String(cString: ares_strerror(status))
    }

    /// One address's lookup in flight.
    private final class Lookup {
        let address: String
        let bytes: [UInt8]
        let family: Int32
        var ptrName: String?
        var result: ReverseLookup?
        unowned let resolver: ReverseResolver

        init(address: String, bytes: [UInt8], family: Int32, resolver: ReverseResolver) {
            self.address = address
            self.bytes = bytes
            self.family = family
            self.resolver = resolver
        }
    }

    /// Looks up every address (canonical text). Addresses that are not IP addresses get a failure.
    public func lookup(_ addresses: [String]) -> [String: ReverseLookup] {
        var results: [String: ReverseLookup] = [:]
        var waiting: [Lookup] = []
        for address in Set(addresses).sorted() {
            guard let (bytes, family) = Self.addressBytes(address) else {
                results[address] = .failure("not an IP address")
                continue
            }
            waiting.append(Lookup(address: address, bytes: bytes, family: family, resolver: self))
        }
        var inFlight: [Lookup] = []
        while !waiting.isEmpty || !inFlight.isEmpty {
            while inFlight.count < concurrency, !waiting.isEmpty {
                let lookup = waiting.removeLast()
                inFlight.append(lookup)
                startPTR(lookup)
            }
            processEvents()
            inFlight.removeAll { lookup in
                guard let result = lookup.result else { return false }
                results[lookup.address] = result
                return true
            }
        }
        return results
    }

    private func startPTR(_ lookup: Lookup) {
        queries += 1
        let context = Unmanaged.passRetained(lookup).toOpaque()
        // A PTR query of its own (not ares_gethostbyaddr, which reports a timeout as "not found").
        Self.reverseName(lookup.bytes, family: lookup.family).withCString { name in
            ares_query(
                channel, name, 1 /* C_IN */, 12 /* T_PTR */,
                { context, status, _, answer, length in
                    let lookup = Unmanaged<Lookup>.fromOpaque(context!).takeRetainedValue()
                    var name: String?
                    if status == ARES_SUCCESS, let answer {
                        var host: UnsafeMutablePointer<hostent>?
                        let parsed = lookup.bytes.withUnsafeBytes { raw in
                            ares_parse_ptr_reply(
                                answer, length, raw.baseAddress, Int32(raw.count), lookup.family, &host)
                        }
                        if parsed == ARES_SUCCESS, let host {
                            name = host.pointee.h_name.map { String(cString: $0) }
                            ares_free_hostent(host)
                        }
                        lookup.resolver.finishPTR(lookup, status: parsed == ARES_SUCCESS ? status : parsed, name: name)
                    } else {
                        lookup.resolver.finishPTR(lookup, status: status, name: nil)
                    }
                }, context)
        }
    }

    /// `4.3.2.1.in-addr.arpa`, or the reversed nibbles under `ip6.arpa`.
    static func reverseName(_ bytes: [UInt8], family: Int32) -> String {
        if family == AF_INET { return bytes.reversed().map(String.init).joined(separator: ".") + ".in-addr.arpa" }
        let hex = Array("0123456789abcdef")
        let nibbles = bytes.reversed().flatMap { [hex[Int($0 & 0x0F)], hex[Int($0 >> 4)]] }
        return nibbles.map(String.init).joined(separator: ".") + ".ip6.arpa"
    }

    private func finishPTR(_ lookup: Lookup, status: Int32, name: String?) {
        switch status {
        case ARES_SUCCESS:
            guard let name, !name.isEmpty else {
                lookup.result = .noPTR
                return
            }
            lookup.ptrName = name
            startForward(lookup, name: name)
        case ARES_ENOTFOUND, ARES_ENODATA:
            lookup.result = .noPTR
        case ARES_ETIMEOUT:
            lookup.result = .failure("timed out")
        case ARES_EDESTRUCTION, ARES_ECANCELLED:
            lookup.result = .failure("cancelled")
        default:
            lookup.result = .failure(Self.message(status))
        }
    }

    private func startForward(_ lookup: Lookup, name: String) {
        queries += 1
        var hints = ares_addrinfo_hints()
        hints.ai_family = AF_UNSPEC
        let context = Unmanaged.passRetained(lookup).toOpaque()
        name.withCString { pointer in
            ares_getaddrinfo(
                channel, pointer, nil, &hints,
                { context, status, _, info in
                    let lookup = Unmanaged<Lookup>.fromOpaque(context!).takeRetainedValue()
                    var addresses: [[UInt8]] = []
                    var node = status == ARES_SUCCESS ? info?.pointee.nodes : nil
                    while let current = node {
                        if let address = ReverseResolver.bytes(of: current.pointee.ai_addr) {
                            addresses.append(address)
                        }
                        node = current.pointee.ai_next
                    }
                    if let info { ares_freeaddrinfo(info) }
                    lookup.result = .name(lookup.ptrName ?? "", confirmed: addresses.contains(lookup.bytes))
                }, context)
        }
    }

    // MARK: Forward queries, one at a time (rua check)

    /// A query's outcome: records, none (`nxdomain`: the name does not exist; else it has no such
    /// records: either is a void lookup for SPF), or a failure (a timeout, SERVFAIL): temporary.
    public enum Answer<Value> {
        case records(Value)
        case none(nxdomain: Bool)
        case failure(String)
    }

    private final class Query {
        var status: Int32 = -1
        var answer: [UInt8] = []
    }

    /// Runs one query of `type` (16 TXT, 15 MX) for `name` and waits for it.
    private func query(_ name: String, type: Int32) -> (status: Int32, answer: [UInt8]) {
        queries += 1
        let query = Query()
        let context = Unmanaged.passRetained(query).toOpaque()
        name.withCString { pointer in
            ares_query(
                channel, pointer, 1 /* C_IN */, type,
                { context, status, _, answer, length in
                    let query = Unmanaged<Query>.fromOpaque(context!).takeRetainedValue()
                    query.status = status
                    if let answer { query.answer = Array(UnsafeBufferPointer(start: answer, count: Int(length))) }
                }, context)
        }
        while query.status == -1 { processEvents() }
        return (query.status, query.answer)
    }

    private static func failure<Value>(_ status: Int32) -> Answer<Value> {
        switch status {
        case ARES_ENOTFOUND: .none(nxdomain: true)
        case ARES_ENODATA: .none(nxdomain: false)
        case ARES_ETIMEOUT: .failure("timed out")
        default: .failure(message(status))
        }
    }

    /// The TXT records at `name`, each record's strings joined (RFC 7208 §3.3, RFC 9989 §4.5).
    public func txt(_ name: String) -> Answer<[String]> {
        let (status, answer) = query(name, type: 16)
        guard status == ARES_SUCCESS else { return Self.failure(status) }
        var reply: UnsafeMutablePointer<ares_txt_ext>?
        let parsed = answer.withUnsafeBufferPointer {
            ares_parse_txt_reply_ext($0.baseAddress, Int32($0.count), &reply)
        }
        guard parsed == ARES_SUCCESS else {
            return parsed == ARES_ENODATA ? .none(nxdomain: false) : Self.failure(parsed)
        }
        defer { ares_free_data(reply) }
        var records: [[UInt8]] = []
        var node = reply
        while let current = node {
            let bytes = Array(UnsafeBufferPointer(start: current.pointee.txt, count: current.pointee.length))
            if current.pointee.record_start != 0 || records.isEmpty {
                records.append(bytes)
            } else {
                records[records.count - 1] += bytes
            }
            node = current.pointee.next
        }
        return records.isEmpty ? .none(nxdomain: false) : .records(records.map { String(decoding: $0, as: UTF8.self) })
    }

    /// How many answer records of `type` the server gives for `name` (e.g. 99, the discontinued SPF
    /// type, whose presence alone is worth saying).
    public func count(_ name: String, type: Int32) -> Answer<Int> {
        let (status, answer) = query(name, type: type)
        guard status == ARES_SUCCESS else { return Self.failure(status) }
        guard answer.count >= 12 else { return .failure("a short answer") }
        let count = Int(answer[6]) << 8 | Int(answer[7])
        return count == 0 ? .none(nxdomain: false) : .records(count)
    }

    /// The MX records at `name`: preference and host, lowest preference first.
    public func mx(_ name: String) -> Answer<[(preference: Int, host: String)]> {
        let (status, answer) = query(name, type: 15)
        guard status == ARES_SUCCESS else { return Self.failure(status) }
        var reply: UnsafeMutablePointer<ares_mx_reply>?
        let parsed = answer.withUnsafeBufferPointer { ares_parse_mx_reply($0.baseAddress, Int32($0.count), &reply) }
        guard parsed == ARES_SUCCESS else {
            return parsed == ARES_ENODATA ? .none(nxdomain: false) : Self.failure(parsed)
        }
        defer { ares_free_data(reply) }
        var hosts: [(preference: Int, host: String)] = []
        var node = reply
        while let current = node {
            hosts.append((Int(current.pointee.priority), current.pointee.host.map { String(cString: $0) } ?? ""))
            node = current.pointee.next
        }
        return hosts.isEmpty
            ? .none(nxdomain: false) : .records(hosts.sorted { ($0.preference, $0.host) < ($1.preference, $1.host) })
    }

    /// The A and AAAA addresses of `name`.
    public func addresses(_ name: String) -> Answer<[String]> {
        var hints = ares_addrinfo_hints()
        hints.ai_family = AF_UNSPEC
        final class Box { var answer: Answer<[String]>? }
        let box = Box()
        queries += 1
        let context = Unmanaged.passRetained(box).toOpaque()
        name.withCString { pointer in
            ares_getaddrinfo(
                channel, pointer, nil, &hints,
                { context, status, _, info in
                    let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
                    guard status == ARES_SUCCESS else {
                        box.answer = ReverseResolver.failure(status)
                        return
                    }
                    var addresses: [String] = []
                    var node = info?.pointee.nodes
                    while let current = node {
                        if let bytes = ReverseResolver.bytes(of: current.pointee.ai_addr) {
                            addresses.append(ReverseResolver.text(bytes))
                        }
                        node = current.pointee.ai_next
                    }
                    if let info { ares_freeaddrinfo(info) }
                    box.answer = addresses.isEmpty ? .none(nxdomain: false) : .records(addresses)
                }, context)
        }
        while box.answer == nil { processEvents() }
        return box.answer ?? .failure("no answer")
    }

    /// An address's text form.
    static func text(_ bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        _ = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        return String(cString: buffer)
    }

    /// Waits for the sockets c-ares uses and lets it process what arrived or timed out.
    private func processEvents() {
        var readers = fd_set()
        var writers = fd_set()
        let count = ares_fds(channel, &readers, &writers)
        guard count > 0 else { return }
        var maximum = timeval(tv_sec: 1, tv_usec: 0)
        var wait = timeval()
        let timeout = ares_timeout(channel, &maximum, &wait)
        _ = select(count, &readers, &writers, nil, timeout)
        ares_process(channel, &readers, &writers)
    }

    /// Network-order bytes and family of a textual IPv4 or IPv6 address.
    static func addressBytes(_ text: String) -> ([UInt8], Int32)? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return (withUnsafeBytes(of: &v4) { Array($0) }, AF_INET)
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return (withUnsafeBytes(of: &v6) { Array($0) }, AF_INET6)
        }
        return nil
    }

    static func bytes(of address: UnsafeMutablePointer<sockaddr>?) -> [UInt8]? {
        guard let address else { return nil }
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                var value = pointer.pointee.sin_addr
                return withUnsafeBytes(of: &value) { Array($0) }
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                var value = pointer.pointee.sin6_addr
                return withUnsafeBytes(of: &value) { Array($0) }
            }
        default:
            return nil
        }
    }
}
