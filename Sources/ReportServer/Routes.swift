import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ReportModel
import ReportRendering
import ReportService

/// Every route of `rua serve`, with who may call it.
enum Routes {
    static func router(_ state: ServerState) -> Router<ServerContext> {
        let router = Router(context: ServerContext.self)
        router.add(middleware: SecurityHeaders())
        router.add(middleware: Access(state: state))

        router.get("static/rua.css") { _, _ in
            response(.ok, "text/css; charset=utf-8", Array(HTML.styleSheet.utf8), cache: "public, max-age=3600")
        }
        router.get("healthz") { _, _ in response(.ok, "text/plain; charset=utf-8", Array("ok\n".utf8)) }

        // Pages.
        router.get("/") { request, _ in
            try await cached(state, request) { query, now in
                let digest = try await state.blocking {
                    try $0.digest(period: query.period, domain: nil, lookup: offline, now: now)
                }
                return html(Pages.overview(digest, query: query))
            }
        }
        router.get("domain/{domain}") { request, context in
            let name = try domainParameter(context)
            return try await cached(state, request) { query, now in
                let filter = query.period.filter(domain: name)
                let (digest, failures, tls, changes) = try await state.blocking { service in
                    (
                        try service.digest(period: query.period, domain: name, lookup: offline, now: now),
                        try service.failures(filter, lookup: offline, now: now),
                        try service.tlsSummary(filter, top: 10), try service.recordChanges(domain: name)
                    )
                }
                return html(
                    Pages.domain(name, digest: digest, failures: failures, tls: tls, changes: changes, query: query))
            }
        }
        router.get("source/{address}") { request, context in
            let address = try addressParameter(context)
            return try await cached(state, request) { query, now in
                var failures = try await state.blocking {
                    try $0.failures(query.period.filter(), lookup: offline, now: now)
                }
                failures.groups.removeAll { $0.sourceIP != address }
                return html(Pages.source(address, failures: failures, query: query))
            }
        }
        router.get("reporter/{name}") { request, context in
            guard let name = context.parameters.get("name")?.removingPercentEncoding, !name.isEmpty, name.count <= 1_000
            else { throw HTTPError(.notFound) }
            return try await cached(state, request) { query, _ in
                let reports = try await state.blocking {
                    try $0.reports(query.period.filter(domain: query.value("domain")))
                }.filter { $0.orgName == name }
                return html(Pages.reporter(name, reports: reports, query: query))
            }
        }
        router.get("reports") { request, _ in
            try await cached(state, request) { query, _ in
                let (page, reports, more) = try await reportsPage(state, query)
                return html(Pages.reports(reports, page: page, more: more, query: query))
            }
        }
        router.get("report/{id}") { request, context in
            guard let id = context.parameters.get("id", as: Int64.self) else { throw HTTPError(.notFound) }
            return try await cached(state, request) { query, _ in
                let (page, perPage) = try paging(query)
                guard
                    let detail = try await state.blocking({
                        try $0.reportDetail(id: id, offset: (page - 1) * perPage, limit: perPage)
                    })
                else { throw PageError.notFound("no such report") }
                return html(Pages.report(id, detail, page: page, perPage: perPage))
            }
        }
        router.get("reports/{id}/original") { _, context in
            let raw = context.parameters.get("id") ?? ""
            let tls = raw.hasPrefix("tls-")
            guard let id = Int64(tls ? String(raw.dropFirst(4)) : raw) else { throw HTTPError(.notFound) }
            guard let original = try await state.blocking({ try $0.originalOfReport(id: id, tls: tls) }) else {
                throw HTTPError(.notFound, message: "no such report")
            }
            return download(original.name, original.bytes)
        }
        router.get("quarantine") { request, _ in
            let inputs = try await state.blocking { try $0.quarantined(rejectedOnly: false) }
            let csrf = CSRF.token(from: request)
            var page = html(Pages.quarantine(inputs, csrf: csrf.value))
            if csrf.isNew { page.headers.append(("Set-Cookie", CSRF.cookie(csrf.value))) }
            return build(page)
        }
        router.get("quarantine/{id}/original") { _, context in
            guard let id = context.parameters.get("id", as: Int64.self) else { throw HTTPError(.notFound) }
            let found = try await state.blocking { service -> (String, [UInt8])? in
                guard let input = try service.keptInput(id: id), let bytes = try service.originalBytes(ofInput: id)
                else {
                    return nil
                }
                return (input.name, bytes)
            }
            guard let found else { throw HTTPError(.notFound, message: "no such input") }
            return download(found.0, found.1)
        }
        router.post("quarantine/{id}/reprocess") { request, context in
            guard let id = context.parameters.get("id", as: Int64.self) else { throw HTTPError(.notFound) }
            var request = request
            let form = try await formFields(&request)
            // A browser's form: the token is typed in it, and the CSRF field must match the cookie set with
            // the page (a page of another site cannot read the cookie). A client with a bearer token needs
            // neither.
            if state.credentials.token(bearer: request.headers[.authorization] ?? "")?.scope != .write {
                guard CSRF.matches(request, form["csrf"]) else {
                    throw HTTPError(.forbidden, message: "the form is stale or from another site: reload the page")
                }
                guard let token = form["token"], state.credentials.token(bearer: "Bearer " + token)?.scope == .write
                else { throw HTTPError(.forbidden, message: "reprocessing needs a write token") }
            }
            let summary = try await state.blocking { try $0.reprocess([id]) { _ in } }
            let text = ImportRenderer.summary(summary)
            if request.headers[.accept]?.contains("text/html") == true || !form.isEmpty {
                return build(html(Pages.message(title: "Reprocessed input #\(id)", text: text)))
            }
            return response(.ok, "text/plain; charset=utf-8", Array(text.utf8))
        }

        // The JSON API: the CLI's documents (Schemas/), with the same query string as the pages.
        router.get("api/digest") { request, _ in
            try await cached(state, request) { query, now in
                let digest = try await state.blocking {
                    try $0.digest(period: query.period, domain: query.value("domain"), lookup: offline, now: now)
                }
                return json(DigestRenderer.render(digest, format: .json, context: context("digest", query, now)))
            }
        }
        for (path, format) in [("api/summary", OutputFormat.json), ("api/summary.csv", .csv)] {
            router.get(RouterPath(stringLiteral: path)) { request, _ in
                try await cached(state, request) { query, now in
                    let summaries = try await state.blocking {
                        try $0.summary(query.period.filter(domain: query.value("domain")), topSources: 10)
                    }
                    return output(
                        SummaryRenderer.render(
                            summaries, format: format,
                            context: context("summary", query, now, [.init("top", number: 10)])), format)
                }
            }
        }
        for (path, format) in [("api/failures", AnalysisFormat.json), ("api/failures.csv", .csv)] {
            router.get(RouterPath(stringLiteral: path)) { request, _ in
                try await cached(state, request) { query, now in
                    var analysis = try await state.blocking {
                        try $0.failures(query.period.filter(domain: query.value("domain")), lookup: offline, now: now)
                    }
                    let (page, perPage) = try paging(query)
                    analysis.groups = Array(analysis.groups.dropFirst((page - 1) * perPage).prefix(perPage))
                    let text = FailuresRenderer.render(
                        analysis, format: format,
                        context: context(
                            "failures", query, now,
                            [.init("class", nil), .init("sort", "messages"), .init("top", number: perPage)]))
                    return format == .csv ? csv(text) : json(text)
                }
            }
        }
        for (path, format) in [("api/reports", OutputFormat.json), ("api/reports.csv", .csv)] {
            router.get(RouterPath(stringLiteral: path)) { request, _ in
                try await cached(state, request) { query, now in
                    let (_, reports, _) = try await reportsPage(state, query)
                    return output(
                        ReportsRenderer.render(reports, format: format, context: context("reports", query, now)), format
                    )
                }
            }
        }
        router.get("api/tls") { request, _ in
            try await cached(state, request) { query, now in
                let summaries = try await state.blocking {
                    try $0.tlsSummary(query.period.filter(domain: query.value("domain")), top: 10)
                }
                return json(TLSRenderer.render(summaries, format: .json, context: context("tls", query, now)))
            }
        }
        router.get("api/quarantine") { _, _ in
            let inputs = try await state.blocking { try $0.quarantined(rejectedOnly: false) }
            let now = state.configuration.now()
            let context = OutputContext(
                command: "quarantine list", generatedAt: now, period: nil, periodLabel: "all time",
                filters: [.init("rejected_only", flag: false)])
            return build(json(QuarantineRenderer.list(inputs, format: .json, context: context)))
        }

        router.get("metrics") { _, _ in
            let version = try await state.dataVersion()
            let page = try await state.cache.page("metrics", version: version, maxAge: state.configuration.cacheSeconds)
            {
                let now = state.configuration.now()
                let totals = try await state.blocking { try $0.metricTotals() }
                let failing = try await state.blocking {
                    try $0.failures(ReportFilter(since: now - 86_400), lookup: offline, now: now)
                }
                return PageCache.Page(
                    status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8",
                    body: Metrics.exposition(totals: totals, failing: failing, intake: state.counters.all, now: now))
            }
            return build(page)
        }

        // Intake.
        router.post("tlsrpt") { request, context in
            try await Intakes.tlsReport(state, request, context)
        }
        router.post("upload") { request, context in
            try await Intakes.upload(state, request, context)
        }
        return router
    }

    static let offline = SourceLookup(offline: true, server: nil, timeoutMilliseconds: 1_000, servicesFile: nil)

    static func domainParameter(_ context: ServerContext) throws -> String {
        guard let raw = context.parameters.get("domain"), let name = raw.removingPercentEncoding?.lowercased(),
            DomainName.isValid(name)
        else { throw HTTPError(.notFound, message: "not a domain name") }
        return name
    }

    static func addressParameter(_ context: ServerContext) throws -> String {
        guard let raw = context.parameters.get("address")?.removingPercentEncoding,
            raw.count <= 64, raw.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" })
        else { throw HTTPError(.notFound, message: "not an IP address") }
        return raw
    }

    static func paging(_ query: PageQuery) throws -> (page: Int, perPage: Int) {
        let page =
            try query.value("page").map {
                guard let page = Int($0), page >= 1 else { throw PageError.badRequest("page starts at 1") }
                return page
            } ?? 1
        let perPage =
            try query.value("per_page").map {
                guard let count = Int($0), (1...1_000).contains(count) else {
                    throw PageError.badRequest("per_page takes 1 to 1000")
                }
                return count
            } ?? 100
        return (page, perPage)
    }

    /// One page of the period's reports, newest first, and whether there are more.
    static func reportsPage(_ state: ServerState, _ query: PageQuery) async throws -> (Int, [StoredReport], Bool) {
        let (page, perPage) = try paging(query)
        let all = try await state.blocking { try $0.reports(query.period.filter(domain: query.value("domain"))) }
        let newest = all.sorted { ($0.begin, $0.id) > ($1.begin, $1.id) }
        let slice = Array(newest.dropFirst((page - 1) * perPage).prefix(perPage))
        return (page, slice, newest.count > page * perPage)
    }

    /// The document's header as the command of the same name writes it: the period and its filters.
    static func context(
        _ command: String, _ query: PageQuery, _ now: Int64, _ extra: [OutputContext.Filter] = []
    ) -> OutputContext {
        let filters = [OutputContext.Filter("domain", query.value("domain"))] + extra
        return OutputContext(
            command: command, generatedAt: now,
            period: .init(start: query.period.start, end: query.period.end, timeZone: "UTC"),
            periodLabel: query.period.label, filters: filters)
    }

    /// A page from the cache, rendered by `render` when it is missing or stale.
    static func cached(
        _ state: ServerState, _ request: Request,
        _ render: @escaping @Sendable (PageQuery, Int64) async throws -> PageCache.Page
    ) async throws -> Response {
        let now = state.configuration.now()
        let query: PageQuery
        do {
            query = try PageQuery(
                parameters: request.uri.queryParameters.map { (String($0.key), String($0.value)) }, now: now)
        } catch PageError.badRequest(let reason) {
            throw HTTPError(.badRequest, message: reason)
        }
        let version = try await state.dataVersion()
        // Keyed by the canonical query (so `?days=7` and no query share a page) and the clock's day.
        let key = request.uri.path + query.string + "@" + String(now / 86_400)
        do {
            return build(
                try await state.cache.page(key, version: version, maxAge: state.configuration.cacheSeconds) {
                    try await render(query, now)
                })
        } catch PageError.badRequest(let reason) {
            throw HTTPError(.badRequest, message: reason)
        } catch PageError.notFound(let reason) {
            throw HTTPError(.notFound, message: reason)
        }
    }

    static func html(_ text: String) -> PageCache.Page {
        .init(status: .ok, contentType: "text/html; charset=utf-8", body: Array(text.utf8))
    }

    static func json(_ text: String) -> PageCache.Page {
        .init(status: .ok, contentType: "application/json", body: Array(text.utf8))
    }

    static func csv(_ text: String) -> PageCache.Page {
        .init(status: .ok, contentType: "text/csv; charset=utf-8", body: Array(text.utf8))
    }

    static func output(_ text: String, _ format: OutputFormat) -> PageCache.Page {
        format == .csv ? csv(text) : json(text)
    }

    static func build(_ page: PageCache.Page) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = page.contentType
        for (name, value) in page.headers {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        return Response(status: page.status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: page.body)))
    }

    static func response(
        _ status: HTTPResponse.Status, _ type: String, _ body: [UInt8], cache: String? = nil
    ) -> Response {
        var page = PageCache.Page(status: status, contentType: type, body: body)
        if let cache { page.headers.append(("Cache-Control", cache)) }
        return build(page)
    }

    /// An original's bytes as a download, named after the input (never shown inline: it is a stranger's file).
    static func download(_ name: String, _ bytes: [UInt8]) -> Response {
        let base = name.split(separator: "/").last.map(String.init) ?? "original"
        let safe = String(base.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-!".contains($0)) ? $0 : "_" })
        var page = PageCache.Page(status: .ok, contentType: "application/octet-stream", body: bytes)
        page.headers.append(("Content-Disposition", "attachment; filename=\"\(safe.isEmpty ? "original" : safe)\""))
        return build(page)
    }

    /// The fields of a `application/x-www-form-urlencoded` body (16 KB at most).
    static func formFields(_ request: inout Request) async throws -> [String: String] {
        let body = try await request.collectBody(upTo: 16 * 1024)
        let text = String(buffer: body)
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            fields[decoded(parts[0])] = parts.count > 1 ? decoded(parts[1]) : ""
        }
        return fields
    }
}

/// Headers on every answer: a Content-Security-Policy that allows nothing but this server's style sheet
/// and forms (no script at all, inline or not), no sniffing, no framing, no referrer.
struct SecurityHeaders: RouterMiddleware {
    typealias Context = ServerContext

    func handle(
        _ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response
    ) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError {
            response = Routes.response(
                error.status, "text/plain; charset=utf-8",
                Array(((error.body ?? error.status.reasonPhrase) + "\n").utf8))
            for field in error.headers { response.headers.append(field) }
        }
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "private, no-cache" }
        return response
    }
}

/// Who may call what: `/tlsrpt` is open (senders cannot authenticate, RFC 8460 §3), the style sheet and
/// `/healthz` too; `/upload` needs a write token; everything else, when accounts or tokens are
/// configured, an account (Basic) or a token. Without any, Rua listens on loopback only.
struct Access: RouterMiddleware {
    typealias Context = ServerContext
    let state: ServerState

    func handle(
        _ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        if path == "/tlsrpt" || path == "/static/rua.css" || path == "/healthz" {
            return try await next(request, context)
        }
        let header = request.headers[.authorization] ?? ""
        let token = state.credentials.token(bearer: header)
        if path == "/upload" {
            guard let token, token.scope == .write else {
                throw HTTPError(
                    .unauthorized, headers: [.wwwAuthenticate: "Bearer realm=\"rua\""],
                    message: "uploads need a write token")
            }
            return try await next(request, context)
        }
        guard !state.credentials.isEmpty else { return try await next(request, context) }
        if token != nil || state.credentials.account(basic: header) != nil {
            return try await next(request, context)
        }
        throw HTTPError(
            .unauthorized, headers: [.wwwAuthenticate: "Basic realm=\"rua\", charset=\"UTF-8\""], message: "sign in")
    }
}

/// The double-submit token of the forms: a random value in a cookie only this site's pages can read,
/// repeated in the form.
enum CSRF {
    static let name = "rua_csrf"

    static func token(from request: Request) -> (value: String, isNew: Bool) {
        if let value = cookie(request), value.count == 32 { return (value, false) }
        return (Credentials.randomHex(bytes: 16), true)
    }

    static func cookie(_ request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0] == name { return String(pair[1]) }
            }
        }
        return nil
    }

    static func cookie(_ value: String) -> String {
        "\(name)=\(value); Path=/; HttpOnly; SameSite=Strict"
    }

    static func matches(_ request: Request, _ field: String?) -> Bool {
        guard let field, let cookie = cookie(request), cookie.count == 32 else { return false }
        return Credentials.equal(Array(field.utf8), Array(cookie.utf8))
    }
}
