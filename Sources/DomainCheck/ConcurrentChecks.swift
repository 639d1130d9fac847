import Foundation
import ReportModel
import SenderAttribution

extension DomainChecker {
    /// One domain to check, with what the database knows about it.
    public struct Job: Sendable {
        public var domain: String
        public var selectors: [Selector]
        public var unlistedSenders: [UnlistedSender]
        public var tls: TLSEvidence?

        public init(domain: String, selectors: [Selector], unlistedSenders: [UnlistedSender], tls: TLSEvidence?) {
            self.domain = domain
            self.selectors = selectors
            self.unlistedSenders = unlistedSenders
            self.tls = tls
        }
    }

    /// A source the reports show passing DKIM but not SPF for the domain.
    public struct UnlistedSender: Sendable {
        public var source: String
        public var messages: Int64

        public init(source: String, messages: Int64) {
            self.source = source
            self.messages = messages
        }
    }

    /// The jobs checked on up to `workers` threads, each with its own c-ares channel in front of one
    /// cache of answers for the run (many domains share includes, MX hosts, the `_dmarc` of a public
    /// suffix): the checks of each job, in the jobs' order.
    public static func check(
        _ jobs: [Job], workers: Int, dns configuration: DNSConfiguration, now: Int64, caFile: String?,
        policyAddressFromCheckDNS: Bool
    ) throws -> [[Check]] {
        guard !jobs.isEmpty else { return [] }
        let cache = DNSAnswerCache()
        // Channels are made here, one thread, before any worker starts: c-ares' library set-up is not
        // safe to run concurrently.
        let resolvers = try (0..<max(1, min(workers, jobs.count))).map { _ in
            UncheckedBox(try ReverseResolver(configuration))
        }
        let results = CheckSlots(count: jobs.count)
        let group = DispatchGroup()
        for resolver in resolvers {
            group.enter()
            let thread = Thread {
                let checker = DomainChecker(
                    dns: CachedDNS(resolver.value, cache), caFile: caFile,
                    policyAddressFromCheckDNS: policyAddressFromCheckDNS)
                while let index = results.claim() {
                    let job = jobs[index]
                    results.store(
                        checker.check(
                            job.domain, selectors: job.selectors, now: now,
                            unlistedSenders: job.unlistedSenders.map { ($0.source, $0.messages) }, tls: job.tls),
                        at: index)
                }
                group.leave()
            }
            thread.name = "rua check"
            thread.start()
        }
        group.wait()
        return results.all
    }
}

/// A value handed to one worker thread, which alone uses it.
final class UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// The results of a run, filled by the workers, and the next job to claim.
final class CheckSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [[Check]]
    private var next = 0

    init(count: Int) { slots = Array(repeating: [], count: count) }

    func claim() -> Int? {
        lock.withLock {
            guard next < slots.count else { return nil }
            next += 1
            return next - 1
        }
    }

    func store(_ checks: [Check], at index: Int) {
        lock.withLock { slots[index] = checks }
    }

    var all: [[Check]] { lock.withLock { slots } }
}

/// DNS answers shared by the workers of one run: a name asked while another worker is asking it waits
/// for that answer instead of asking again.
final class DNSAnswerCache: @unchecked Sendable {
    private let condition = NSCondition()
    private var answers: [String: Any] = [:]
    private var asking = Set<String>()
    private var reverse: [String: ReverseLookup] = [:]

    func answer<Value>(_ key: String, _ ask: () -> Value) -> Value {
        condition.lock()
        while true {
            if let known = answers[key] as? Value {
                condition.unlock()
                return known
            }
            guard asking.contains(key) else { break }
            condition.wait()
        }
        asking.insert(key)
        condition.unlock()
        let fresh = ask()
        condition.lock()
        answers[key] = fresh
        asking.remove(key)
        condition.broadcast()
        condition.unlock()
        return fresh
    }

    func lookup(_ addresses: [String], _ ask: ([String]) -> [String: ReverseLookup]) -> [String: ReverseLookup] {
        var found = condition.withLock {
            addresses.reduce(into: [String: ReverseLookup]()) { $0[$1] = reverse[$1] }
        }
        let missing = addresses.filter { found[$0] == nil }
        guard !missing.isEmpty else { return found }
        let fresh = ask(missing)
        condition.withLock { reverse.merge(fresh) { first, _ in first } }
        found.merge(fresh) { first, _ in first }
        return found
    }
}

/// A worker's resolver in front of the run's shared answers.
final class CachedDNS: CheckDNS {
    private let resolver: ReverseResolver
    private let cache: DNSAnswerCache

    init(_ resolver: ReverseResolver, _ cache: DNSAnswerCache) {
        self.resolver = resolver
        self.cache = cache
    }

    func txt(_ name: String) -> ReverseResolver.Answer<[String]> {
        cache.answer("TXT " + name.lowercased()) { resolver.txt(name) }
    }

    func mx(_ name: String) -> ReverseResolver.Answer<[(preference: Int, host: String)]> {
        cache.answer("MX " + name.lowercased()) { resolver.mx(name) }
    }

    func addresses(_ name: String) -> ReverseResolver.Answer<[String]> {
        cache.answer("A " + name.lowercased()) { resolver.addresses(name) }
    }

    func count(_ name: String, type: Int32) -> ReverseResolver.Answer<Int> {
        cache.answer("\(type) " + name.lowercased()) { resolver.count(name, type: type) }
    }

    func lookup(_ addresses: [String]) -> [String: ReverseLookup] {
        cache.lookup(addresses) { resolver.lookup($0) }
    }
}
