import ArgumentParser
import Foundation
import MailboxFetch
import NetworkClient
import ReportModel
import ReportRendering
import ReportService

/// Set by SIGTERM and SIGINT: `rua fetch --watch` finishes the message in hand and stops.
nonisolated(unsafe) private var stopRequested: sig_atomic_t = 0

struct Fetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch reports from an IMAP mailbox: each message imported, then moved once its outcome is stored.",
        usage: """
            rua fetch (<url> | --config <file>) [--password-file <file>] [--token-file <file>] [--oauth <microsoft|google> --client-id <id> [--tenant <tenant>] [--client-secret-file <file> | --client-certificate <file> [--client-key <file>]] [--refresh-token-file <file>] [--token-url <url>] [--token-cache <file>]] [--sasl-mechanism <xoauth2|oauthbearer>] [--ca-file <file>] [--allow-plaintext] [--after <move:FOLDER|seen|leave>] [--other-folder <folder>] [--limit <n>] [--watch] [--interval <span>] [--json] [--quiet] [--max-report-bytes <bytes>] [--db <path|url>] [--db-password-file <path>] [--busy-timeout <seconds>]
            """,
        discussion: """
            URL: imaps://USER@HOST[:993]/FOLDER (TLS from the first byte) or imap://USER@HOST[:143]/FOLDER \
            (STARTTLS, required unless --allow-plaintext); the folder defaults to INBOX, levels separated \
            by / whatever the server uses. The password comes from --password-file or RUA_IMAP_PASSWORD \
            (AUTHENTICATE PLAIN, else LOGIN); an OAuth 2.0 access token from --token-file or \
            RUA_IMAP_TOKEN (XOAUTH2), or tokens rua obtains itself with --oauth: microsoft (the \
            client-credentials grant for --tenant, --client-id and the secret; the app needs IMAP.AccessAsApp) \
            or google (a refresh token exchanged for access tokens), renewed five minutes before they \
            expire and kept in --token-cache between runs. Certificates are verified against the system's trust store and the \
            host name; --ca-file trusts a private CA.

            Each message is read with BODY.PEEK[] (never marked seen by reading), imported as rua import \
            would, and only once its outcome is committed: moved to the archive folder (--after \
            move:FOLDER, the default move:Archive/Rua, created when missing; UID MOVE, else COPY, \\Deleted \
            and UID EXPUNGE), flagged \\Seen (--after seen: only unseen messages are fetched), or left \
            (--after leave: the highest UID handled is remembered in the database). Messages holding no \
            report are kept with their reason (rua quarantine list) and moved to --other-folder (default \
            Archive/Rua/Other). If rua stops between the commit and the move, the next run finds the \
            message stored and only moves it.

            --config FILE fetches several mailboxes (one per client domain, say), one after another: INI \
            sections [mailbox NAME] with url and the settings above as keys (password-file, after, \
            other-folder, ca-file, oauth, tenant, client-id, client-secret-file, client-certificate, client-key, \
            refresh-token-file, \
            token-url, token-cache, sasl-mechanism, allow-plaintext); secrets only in files. A mailbox that fails is named \
            and the others are fetched; the exit status is the worst.

            --watch keeps running: IMAP IDLE where the server offers it, else a look every --interval \
            (default 5m); after a network error it reconnects, waiting 5 s, then up to 5 minutes; SIGTERM \
            finishes the message in hand and exits 0.

            Exit status: 0 done (messages without reports are not an error); 64 usage; 69 the server is \
            unreachable, its certificate not trusted, or the connection was lost (what was committed stays, \
            the rest stays on the server); 74 the database cannot be used; 75 the database is busy (the \
            messages stay on the server); 77 the server refused the login.
            """
    )

    @Argument(help: ArgumentHelp("The mailbox: imaps://USER@HOST/FOLDER or imap://USER@HOST/FOLDER.", valueName: "url"))
    var url: String?

    @Option(
        help: ArgumentHelp(
            "Fetch every mailbox of this file ([mailbox NAME] sections with url, password-file, after…), one after another.",
            valueName: "file"))
    var config: String?

    @Option(
        help: ArgumentHelp(
            "Read the password from this file's first line (or set RUA_IMAP_PASSWORD).", valueName: "file"))
    var passwordFile: String?

    @Option(
        help: ArgumentHelp(
            "Read an OAuth 2.0 access token from this file (or set RUA_IMAP_TOKEN): XOAUTH2.", valueName: "file"))
    var tokenFile: String?

    @Option(
        help: ArgumentHelp(
            "Obtain OAuth 2.0 tokens for XOAUTH2: microsoft (client credentials) or google (a refresh token).",
            valueName: "provider"))
    var oauth: OAuthProvider?

    @Option(help: ArgumentHelp("Microsoft 365: the tenant (directory) id or domain.", valueName: "tenant"))
    var tenant: String?

    @Option(help: ArgumentHelp("The OAuth application's client id.", valueName: "id"))
    var clientID: String?

    @Option(
        help: ArgumentHelp(
            "Read the client secret from this file (or set RUA_OAUTH_CLIENT_SECRET).", valueName: "file"))
    var clientSecretFile: String?

    @Option(
        help: ArgumentHelp(
            "Microsoft 365: authenticate the app with this certificate (PEM) instead of a secret.", valueName: "file"))
    var clientCertificate: String?

    @Option(
        help: ArgumentHelp(
            "The certificate's private key (PEM), when not in the certificate's file.", valueName: "file"))
    var clientKey: String?

    @Option(
        help: ArgumentHelp(
            "Google: read the refresh token from this file (or set RUA_OAUTH_REFRESH_TOKEN).", valueName: "file"))
    var refreshTokenFile: String?

    @Option(help: ArgumentHelp("The token endpoint, instead of Microsoft's or Google's.", valueName: "url"))
    var tokenURL: String?

    @Option(help: ArgumentHelp("Keep the access token in this file (mode 0600) between runs.", valueName: "file"))
    var tokenCache: String?

    @Option(
        help: ArgumentHelp(
            "Send the token with xoauth2 or oauthbearer (default: OAUTHBEARER where offered, else XOAUTH2).",
            valueName: "mechanism"))
    var saslMechanism: SASLMechanism?

    @Option(help: ArgumentHelp("Trust the certificates of this CA file (a private CA) too.", valueName: "file"))
    var caFile: String?

    @Flag(help: "Allow imap:// without STARTTLS (a server on this host): the password then goes in clear.")
    var allowPlaintext = false

    @Option(help: ArgumentHelp("After a message is stored: move:FOLDER, seen or leave.", valueName: "action"))
    var after = "move:Archive/Rua"

    @Option(help: ArgumentHelp("Where messages holding no report go.", valueName: "folder"))
    var otherFolder = "Archive/Rua/Other"

    @Option(help: ArgumentHelp("Fetch at most this many messages.", valueName: "n"))
    var limit: Int?

    @Flag(help: "Keep running: IDLE (or a look every --interval) and fetch what arrives.")
    var watch = false

    @Option(help: ArgumentHelp("With --watch and no IDLE: how often to look (30s, 5m, 1h).", valueName: "span"))
    var interval = "5m"

    @OptionGroup var output: ImportOutputOptions
    @OptionGroup var store: StoreOptions

    var json: Bool { output.json }
    var quiet: Bool { output.quiet }

    var intervalSeconds: Int? {
        guard let unit = interval.last, let count = Int(interval.dropLast()), count > 0 else { return nil }
        switch unit {
        case "s": return count
        case "m": return count * 60
        case "h": return count * 3600
        default: return nil
        }
    }

    /// The command line's one mailbox.
    var commandLineMailbox: MailboxSettings {
        MailboxSettings(
            name: url ?? "", url: url ?? "", passwordFile: passwordFile, tokenFile: tokenFile, oauth: oauth,
            tenant: tenant,
            clientID: clientID, clientSecretFile: clientSecretFile, clientCertificate: clientCertificate,
            clientKey: clientKey, refreshTokenFile: refreshTokenFile,
            tokenURL: tokenURL,
            tokenCache: tokenCache, saslMechanism: saslMechanism, caFile: caFile, allowPlaintext: allowPlaintext,
            after: after,
            otherFolder: otherFolder)
    }

    func validate() throws {
        guard intervalSeconds != nil else { throw ValidationError("--interval '\(interval)': use 30s, 5m or 1h") }
        if let limit, limit < 1 { throw ValidationError("--limit must be 1 or more") }
        switch (url, config) {
        case (nil, nil): throw ValidationError("give a mailbox URL, or --config FILE")
        case (.some, .some): throw ValidationError("give a mailbox URL or --config FILE, not both")
        case (.some, nil):
            if let problem = commandLineMailbox.problems().first { throw ValidationError(problem) }
        case (nil, .some(let config)):
            _ = try MailboxSettings.load(config)
        }
    }

    func run() throws {
        let pinned = try ProcessInfo.processInfo.environment["RUA_NOW"].map { _ in try currentTime() }
        // A server that closes the connection makes a write fail, not kill rua.
        signal(SIGPIPE, SIG_IGN)
        if watch {
            signal(SIGTERM) { _ in stopRequested = 1 }
            signal(SIGINT) { _ in stopRequested = 1 }
            // A parent may have left them blocked (a test runner, some supervisors): they must arrive.
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, SIGTERM)
            sigaddset(&signals, SIGINT)
            sigprocmask(SIG_UNBLOCK, &signals, nil)
        }
        if let config {
            try runConfigured(try MailboxSettings.load(config), pinned: pinned)
            return
        }
        let mailbox = commandLineMailbox
        let account = try MailboxAccount(url: mailbox.url)
        let secret: Secret
        do {
            secret = try mailbox.secret()
        } catch let error as NetworkError {
            printError("rua: \(Escaping.terminal(error.message))")
            throw ExitStatus.of(error)
        }
        var backoff = 5
        while true {
            do {
                try fetchOnce(
                    account: account, secret: secret, options: mailbox.options(limit: limit), pinned: pinned,
                    watching: watch)
                return
            } catch let error as NetworkError {
                // Watching, a lost connection or a server gone away is waited out; anything else ends it.
                guard watch && error.kind == .unavailable && stopRequested == 0 else {
                    printError("rua: \(Escaping.terminal(error.message))")
                    throw ExitStatus.of(error)
                }
                printError("rua: \(Escaping.terminal(error.message)); trying again in \(backoff) s")
                for _ in 0..<(backoff * 5) where stopRequested == 0 { usleep(200_000) }
                if stopRequested != 0 { return }
                backoff = min(backoff * 2, 300)
            }
        }
    }

    /// The mailboxes of a configuration file, one after another; a mailbox that fails is named and the
    /// rest are fetched. With --watch, all of them again every --interval.
    func runConfigured(_ mailboxes: [MailboxSettings], pinned: Int64?) throws {
        while true {
            var worst: ExitCode?
            for mailbox in mailboxes where stopRequested == 0 {
                do {
                    try fetchOnce(
                        account: try MailboxAccount(url: mailbox.url), secret: try mailbox.secret(),
                        options: mailbox.options(limit: limit), pinned: pinned, watching: false)
                } catch let error as NetworkError {
                    printError("rua: \(mailbox.name): \(Escaping.terminal(error.message))")
                    let status = ExitStatus.of(error)
                    if worst == nil || status.rawValue > worst!.rawValue { worst = status }
                } catch let error as ExitCode {
                    if worst == nil || error.rawValue > worst!.rawValue { worst = error }
                }
            }
            if !watch {
                if let worst { throw worst }
                return
            }
            for _ in 0..<((intervalSeconds ?? 300) * 5) where stopRequested == 0 { usleep(200_000) }
            if stopRequested != 0 { return }
        }
    }

    /// One connection: fetch what is there; with --watch, wait for more and fetch it, until stopped.
    func fetchOnce(
        account: MailboxAccount, secret: Secret, options: FetchOptions, pinned: Int64?, watching: Bool
    )
        throws
    {
        var options = options
        let mailboxKey = "\(account.user)@\(account.host):\(account.port)/\(account.folder)"
        if options.after == .leave {
            let service = try? ReportService(location: store.location(), busyTimeout: store.busyTimeout)
            options.checkpoint = try service.flatMap { try $0.mailboxCheckpoint(mailboxKey) }
            service?.close()
        }
        let fetcher = try MailboxFetcher(account: account, secret: secret, options: options)
        fetcher.shouldStop = { stopRequested != 0 }
        defer { fetcher.finish() }
        // Under --after leave, the place reached is saved every 500 messages, so that a run stopped midway
        // does not fetch them again; a move or a flag on the server is its own record.
        fetcher.batchSize = options.after == .leave ? 500 : nil
        while true {
            var summary = ImportSummary()
            repeat {
                fetcher.startBatch()
                let pipeline = Importer(
                    databaseAt: try store.location(), busyTimeout: store.busyTimeout,
                    maxReportBytes: output.maxReportBytes.value,
                    clock: { pinned.map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? Date() })
                defer { pipeline.close() }
                let progress = json || quiet ? nil : ProgressLine.make(quiet: quiet, found: "messages")
                pipeline.onProgress = progress.map { line in { line.update($0) } }
                summary.add(
                    try store.perform {
                        try pipeline.importInputs(from: fetcher, onItem: output.itemPrinter(progress: progress))
                    })
                progress?.finish()
                fetcher.acknowledgeCommitted()
                if options.after == .leave, let last = fetcher.checkpoint {
                    let service = try store.openForWriting()
                    try store.perform {
                        try service.setMailboxCheckpoint(mailboxKey, uidValidity: fetcher.uidValidity, uid: last)
                    }
                    service.close()
                    options.checkpoint = (fetcher.uidValidity, last)
                }
            } while fetcher.batchSize != nil && fetcher.pending > 0 && fetcher.lost == nil
                && !summary.temporaryFailure && stopRequested == 0
            for problem in fetcher.problems { printError("rua: \(Escaping.terminal(problem.message))") }
            if quiet {
                for failure in summary.failures { printError("rua: \(Escaping.terminal(failure))") }
            } else if summary.inputs > 0 || !watching {
                var counts = ["\(fetcher.fetched) messages fetched", "\(fetcher.moved) moved"]
                if fetcher.flagged > 0 { counts.append("\(fetcher.flagged) flagged seen") }
                let line =
                    "\(account.server)/\(account.folder): \(counts.joined(separator: ", ")). "
                    + ImportRenderer.summary(summary)
                if json { printError(line) } else { print(line) }
            }
            if let lost = fetcher.lost { throw lost }
            if summary.temporaryFailure { throw ExitStatus.temporaryFailure }
            if !watching {
                if !summary.failures.isEmpty { throw ExitStatus.ioError }
                return
            }
            guard stopRequested == 0 else { return }
            // Mail that arrived during the run was announced in answers already read (a MOVE's): look
            // before waiting, which reports only what arrives from then on.
            try fetcher.refresh()
            if fetcher.pending > 0 { continue }
            guard try fetcher.wait(poll: intervalSeconds ?? 300, stop: { stopRequested != 0 }) else { return }
            try fetcher.refresh()
        }
    }
}
