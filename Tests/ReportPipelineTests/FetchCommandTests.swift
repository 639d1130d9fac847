import Foundation
import ReportStore
import ReportTestSupport
import Testing

/// `rua fetch` against a real Dovecot (Scripts/test-services): every report stored once, every message
/// moved once and only after its commit, non-reports in their folder, nothing marked seen by reading.
@Suite(.serialized) struct FetchCommandTests {
    static var mail: [String] {
        let folder = SampleReports.packageRoot.appendingPathComponent("SampleReports/mail").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".eml") }
            .sorted().map { folder + "/" + $0 }
    }

    static func fetch(
        _ services: TestServices, _ user: String, db: String, url: String? = nil, _ extra: [String] = []
    )
        throws -> (status: Int32, stdout: String, stderr: String)
    {
        try RuaExecutable.run(
            [
                "fetch", url ?? "imaps://\(user)@127.0.0.1:10993/INBOX", "--password-file", services.passwordFile,
                "--ca-file", services.caFile, "--db", db,
            ] + extra)
    }

    /// What `rua import` makes of the same messages: the figures a fetch must match.
    static func importedDirectly(_ temp: TemporaryDirectory) throws -> String {
        let result = try RuaExecutable.run(["import", "--db", temp.path("direct.sqlite")] + Self.mail)
        return result.stdout.split(separator: "\n").last.map(String.init) ?? ""
    }

    @Test(.enabled(if: TestServices.running, TestServices.skipReason), arguments: TestEngine.available)
    func everyReportIsStoredOnceAndEveryMessageMovedOnceToItsFolder(_ engine: TestEngine) throws {
        let services = try #require(TestServices.current)
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(engine, in: temp)
        let db = store.argument
        try services.fill("ruafetch1", with: Self.mail)
        let first = try Self.fetch(services, "ruafetch1", db: db)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("\(Self.mail.count) messages fetched, \(Self.mail.count) moved."))
        #expect(first.stdout.contains("8 reports stored, 0 duplicates, 0 rejected, 2 skipped"))
        // The same totals as importing the files.
        #expect(first.stdout.contains(try Self.importedDirectly(temp)))
        #expect(services.messages("ruafetch1", in: "INBOX").isEmpty)
        let archived = services.messages("ruafetch1", in: "Archive/Rua")
        let others = services.messages("ruafetch1", in: "Archive/Rua/Other")
        #expect(archived.count == 8 && others.count == 2)
        // Read with BODY.PEEK[]: nothing was marked seen by fetching.
        #expect((archived + others).allSatisfy { !$0.flags.contains("S") }, "\(archived + others)")
        let again = try Self.fetch(services, "ruafetch1", db: db)
        #expect(again.status == 0)
        #expect(again.stdout.contains("0 messages fetched"))
        let stats = try RuaExecutable.run(["reports", "--db", db, "--format", "ndjson"])
        #expect(stats.stdout.split(separator: "\n").count == 8)
    }

    @Test(.enabled(if: TestServices.running, TestServices.skipReason))
    func messagesStoredButNotMovedAreMovedOnTheNextRunWithoutStoringThemTwice() throws {
        let services = try #require(TestServices.current)
        let temp = try TemporaryDirectory()
        let db = temp.path("db.sqlite")
        try services.fill("ruafetch2", with: Self.mail)
        // As if rua had died after committing and before moving: the messages are stored, still in INBOX.
        let direct = try RuaExecutable.run(["import", "--quiet", "--db", db, services.home + "/ruafetch2/Maildir/new"])
        #expect(direct.status == 0, "\(direct.stderr)")
        let fetched = try Self.fetch(services, "ruafetch2", db: db, url: "imap://ruafetch2@127.0.0.1:10143/INBOX")
        #expect(fetched.status == 0, "\(fetched.stderr)")
        #expect(
            fetched.stdout.contains("10 messages fetched, 10 moved. 10 inputs read: 0 reports stored, 8 duplicates"))
        #expect(services.messages("ruafetch2", in: "INBOX").isEmpty)
        #expect(services.messages("ruafetch2", in: "Archive/Rua").count == 8)
    }

    @Test(.enabled(if: TestServices.running, TestServices.skipReason))
    func seenAndLeaveFetchEachMessageOnce() throws {
        let services = try #require(TestServices.current)
        let temp = try TemporaryDirectory()
        try services.fill("ruafetch3", with: Array(Self.mail.prefix(4)))
        let seen = try Self.fetch(services, "ruafetch3", db: temp.path("seen.sqlite"), ["--after", "seen"])
        #expect(seen.status == 0, "\(seen.stderr)")
        // The three reports stay in INBOX flagged \Seen; the failure report went to the other folder.
        let inbox = services.messages("ruafetch3", in: "INBOX")
        #expect(inbox.count == 3 && inbox.allSatisfy { $0.flags.contains("S") }, "\(inbox)")
        #expect(services.messages("ruafetch3", in: "Archive/Rua/Other").count == 1)
        #expect(
            try Self.fetch(services, "ruafetch3", db: temp.path("seen.sqlite"), ["--after", "seen"]).stdout
                .contains("0 messages fetched"))
        // leave: the highest UID handled is remembered; a new message is the only one fetched next.
        let leave = temp.path("leave.sqlite")
        let first = try Self.fetch(services, "ruafetch3", db: leave, ["--after", "leave", "--other-folder", "Other"])
        #expect(first.stdout.contains("3 messages fetched"), "\(first.stdout)")
        try FileManager.default.copyItem(
            atPath: Self.mail[5], toPath: services.home + "/ruafetch3/Maildir/new/2000.test")
        chown(
            services.home + "/ruafetch3/Maildir/new/2000.test", getpwnam("ruamail").pointee.pw_uid,
            getpwnam("ruamail").pointee.pw_gid)
        let second = try Self.fetch(services, "ruafetch3", db: leave, ["--after", "leave"])
        #expect(second.stdout.contains("1 messages fetched"), "\(second.stdout)")
    }

    @Test(.enabled(if: TestServices.running, TestServices.skipReason))
    func aWrongPasswordAnUntrustedCertificateAndAMissingFolderSaySoWithTheirStatus() throws {
        let services = try #require(TestServices.current)
        let temp = try TemporaryDirectory()
        let db = temp.path("db.sqlite")
        let wrong = try temp.write("wrong", "not-the-password\n")
        let refused = try RuaExecutable.run(
            [
                "fetch", "imaps://ruafetch4@127.0.0.1:10993/", "--password-file", wrong, "--ca-file", services.caFile,
                "--db", db,
            ])
        #expect(refused.status == 77)
        #expect(refused.stderr.contains("imaps://127.0.0.1:10993: the server refused the login for ruafetch4"))
        let untrusted = try RuaExecutable.run(
            ["fetch", "imaps://ruafetch4@127.0.0.1:10993/", "--password-file", services.passwordFile, "--db", db])
        #expect(untrusted.status == 69)
        #expect(untrusted.stderr.contains("certificate is not trusted"))
        let missing = try Self.fetch(services, "ruafetch4", db: db, url: "imaps://ruafetch4@localhost:10993/No/Such")
        #expect(missing.status == 69)
        #expect(missing.stderr.contains("cannot open the folder No/Such"))
        let closed = try Self.fetch(services, "ruafetch4", db: db, url: "imaps://ruafetch4@127.0.0.1:9/")
        #expect(closed.status == 69)
        #expect(closed.stderr.contains("cannot connect"))
        let inURL = try RuaExecutable.run(["fetch", "imaps://u:secret@127.0.0.1/", "--db", db])
        #expect(inURL.status == 64)
        #expect(inURL.stderr.contains("no password in the URL"))
        // A password file whose first line is empty is named, before any connection.
        let empty = try temp.write("empty", "\nsecond line\n")
        let blank = try RuaExecutable.run(["fetch", "imaps://u@127.0.0.1:9/", "--password-file", empty, "--db", db])
        #expect(blank.status == 64)
        #expect(blank.stderr.contains("password file \(empty): the first line is empty"))
    }
}

/// XOAUTH2 for real against Dovecot's oauth2 passdb, the tokens obtained by rua from a stand-in for
/// Microsoft's and Google's token endpoints (which cannot be reached from here) speaking their protocol.
@Suite(.serialized) struct FetchOAuthTests {
    static func oauth(
        _ services: TestServices, _ flow: [String], db: String, cache: String? = nil
    )
        throws -> (status: Int32, stdout: String, stderr: String)
    {
        try RuaExecutable.run(
            ["fetch", "imaps://\(services.oauthUser)@127.0.0.1:10993/INBOX", "--ca-file", services.caFile, "--db", db]
                + flow + (cache.map { ["--token-cache", $0] } ?? []))
    }

    /// Dovecot's log line of the last login of the OAuth user.
    static func lastLogin(_ services: TestServices) throws -> String {
        let log = try String(contentsOfFile: services.home + "/dovecot/dovecot.log", encoding: .utf8)
        return log.split(separator: "\n").last { $0.contains("Login: user=<\(services.oauthUser)>") }.map(String.init)
            ?? ""
    }

    static func issued(_ services: TestServices) throws -> Int {
        let answer = try services.standin("/stats", post: false)
        let object = try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any]
        return object?["issued"] as? Int ?? -1
    }

    @Test(.enabled(if: TestServices.running, TestServices.skipReason))
    func microsoftClientCredentialsLogInWithABearerTokenCachedAndRenewedWhenRevoked() throws {
        let services = try #require(TestServices.current)
        let temp = try TemporaryDirectory()
        let secret = try temp.write("secret", "rua-test-secret\n")
        let microsoft = [
            "--oauth", "microsoft", "--tenant", "contoso", "--client-id", "rua-test-client", "--client-secret-file",
            secret, "--token-url", services.oauthHTTPS + "/contoso/oauth2/v2.0/token",
        ]
        try services.fill(services.oauthUser, with: Array(FetchCommandTests.mail.prefix(3)))
        let cache = temp.path("token.json")
        let before = try Self.issued(services)
        let first = try Self.oauth(services, microsoft, db: temp.path("db.sqlite"), cache: cache)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("3 messages fetched, 3 moved"))
        #expect(try Self.issued(services) == before + 1)
        // Dovecot offers both mechanisms: the standard one is used.
        #expect(try Self.lastLogin(services).contains("method=OAUTHBEARER"))
        // The cached token serves the next run: the endpoint is not asked again.
        let second = try Self.oauth(services, microsoft, db: temp.path("db.sqlite"), cache: cache)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try Self.issued(services) == before + 1)
        let mode = (try FileManager.default.attributesOfItem(atPath: cache)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        // Revoked before its time: the server refuses the cached token, rua asks for a new one.
        try services.standin("/revoke")
        try services.standin("/reset")
        let renewed = try Self.oauth(services, microsoft, db: temp.path("db.sqlite"), cache: cache)
        #expect(renewed.status == 0, "\(renewed.stderr)")
        #expect(try Self.issued(services) == before + 2)
        // A wrong client secret is refused by the endpoint: 77, with its words.
        let wrong = try temp.write("wrong", "not-the-secret\n")
        let refused = try Self.oauth(
            services, microsoft.map { $0 == secret ? wrong : $0 }, db: temp.path("db.sqlite"))
        #expect(refused.status == 77)
        #expect(refused.stderr.contains("the token endpoint answered 401: invalid_client"))
    }

    @Test(.enabled(if: TestServices.running, TestServices.skipReason))
    func microsoftAppsMayAuthenticateWithACertificateInsteadOfASecret() throws {
        let services = try #require(TestServices.current)
        let temp = try TemporaryDirectory()
        let certificate = [
            "--oauth", "microsoft", "--tenant", "contoso", "--client-id", "rua-test-client",
            "--token-url", services.oauthHTTPS + "/contoso/oauth2/v2.0/token",
        ]
        try services.fill(services.oauthUser, with: Array(FetchCommandTests.mail.prefix(2)))
        let fetched = try Self.oauth(
            services,
            certificate + ["--client-certificate", services.oauthAppCertificate, "--client-key", services.oauthAppKey],
            db: temp.path("db.sqlite"))
        #expect(fetched.status == 0, "\(fetched.stderr)")
        #expect(fetched.stdout.contains("2 messages fetched, 2 moved"))
        // Another certificate (the server's, with its key) signs an assertion the endpoint does not know.
        let unknown = try Self.oauth(
            services,
            certificate + [
                "--client-certificate", services.caFile.replacingOccurrences(of: "ca.crt", with: "server.crt"),
                "--client-key", services.caFile.replacingOccurrences(of: "ca.crt", with: "server.key"),
            ],
            db: temp.path("db.sqlite"))
        #expect(unknown.status == 77)
        #expect(unknown.stderr.contains("invalid_client: AADSTS700027"))
    }

    @Test(.enabled(if: TestServices.running, TestServices.skipReason))
    func googleRefreshTokensAreExchangedAndARevokedOneIsRefused() throws {
        let services = try #require(TestServices.current)
        let temp = try TemporaryDirectory()
        let secret = try temp.write("secret", "rua-test-secret\n")
        let refresh = try temp.write("refresh", "rua-test-refresh\n")
        let google = [
            "--oauth", "google", "--client-id", "rua-test-client", "--client-secret-file", secret,
            "--refresh-token-file", refresh, "--token-url", services.oauthHTTPS + "/token",
        ]
        try services.standin("/reset")
        try services.fill(services.oauthUser, with: Array(FetchCommandTests.mail.suffix(2)))
        let fetched = try Self.oauth(services, google + ["--sasl-mechanism", "xoauth2"], db: temp.path("db.sqlite"))
        #expect(fetched.status == 0, "\(fetched.stderr)")
        #expect(fetched.stdout.contains("2 messages fetched, 2 moved"))
        #expect(try Self.lastLogin(services).contains("method=XOAUTH2"))
        try services.standin("/revoke")
        defer { _ = try? services.standin("/reset") }
        let revoked = try Self.oauth(services, google, db: temp.path("db.sqlite"))
        #expect(revoked.status == 77)
        #expect(revoked.stderr.contains("invalid_grant: Token has been expired or revoked."))
        // An access token that the server does not accept (expired, revoked): refused, 77.
        let stale = try temp.write("stale", "standin-expired-token\n")
        let refused = try RuaExecutable.run(
            [
                "fetch", "imaps://\(services.oauthUser)@127.0.0.1:10993/INBOX", "--ca-file", services.caFile,
                "--db", temp.path("db.sqlite"), "--token-file", stale,
            ])
        #expect(refused.status == 77)
        #expect(refused.stderr.contains("the server refused the login for \(services.oauthUser)"))
    }
}

extension FetchCommandTests {
    @Test(.enabled(if: TestServices.running, TestServices.skipReason))
    func watchingFetchesWhatArrivesAndStopsCleanlyOnSIGTERM() throws {
        let services = try #require(TestServices.current)
        let temp = try TemporaryDirectory()
        let db = temp.path("db.sqlite")
        try services.fill("ruafetch2", with: Array(Self.mail.prefix(2)))
        let process = Process()
        process.executableURL = RuaExecutable.url
        process.arguments = [
            "fetch", "imaps://ruafetch2@127.0.0.1:10993/INBOX", "--password-file", services.passwordFile, "--ca-file",
            services.caFile, "--db", db, "--watch", "--quiet",
        ]
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        func waitUntil(_ condition: () -> Bool) -> Bool {
            for _ in 0..<150 {
                if condition() { return true }
                usleep(100_000)
            }
            return false
        }
        #expect(
            waitUntil {
                services.messages("ruafetch2", in: "Archive/Rua").count
                    + services.messages("ruafetch2", in: "Archive/Rua/Other").count == 2
            })
        // A message arriving while it waits (IDLE) is fetched and moved too.
        let arriving = services.home + "/ruafetch2/Maildir/new/3000.test"
        try FileManager.default.copyItem(atPath: Self.mail[4], toPath: arriving)
        chown(arriving, getpwnam("ruamail").pointee.pw_uid, getpwnam("ruamail").pointee.pw_gid)
        #expect(waitUntil { services.messages("ruafetch2", in: "INBOX").isEmpty })
        #expect(
            services.messages("ruafetch2", in: "Archive/Rua").count
                + services.messages("ruafetch2", in: "Archive/Rua/Other").count == 3)
        process.terminate()
        #expect(waitUntil { !process.isRunning }, "rua fetch --watch did not stop on SIGTERM")
        #expect(
            process.terminationStatus == 0,
            "\(String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self))")
        // Two of the three held a report (the other is a failure report, kept and moved aside).
        let reports = try RuaExecutable.run(["reports", "--db", db, "--format", "ndjson"])
        #expect(reports.stdout.split(separator: "\n").count == 2)
    }
}

extension FetchCommandTests {
    @Test(.enabled(if: TestServices.running, TestServices.skipReason))
    func aServerWithoutMOVECopiesAndExpungesExactlyTheMessagesHandled() throws {
        let services = try #require(TestServices.current)
        let temp = try TemporaryDirectory()
        try services.fill("ruafetch5", with: Array(Self.mail.prefix(3)))
        // Another client's message, marked \Deleted but not expunged: a bare EXPUNGE would remove it.
        let deleted = services.home + "/ruafetch5/Maildir/cur/9000.test:2,T"
        try FileManager.default.copyItem(atPath: Self.mail[6], toPath: deleted)
        chown(deleted, getpwnam("ruamail").pointee.pw_uid, getpwnam("ruamail").pointee.pw_gid)
        // 127.0.0.2 is the same Dovecot without MOVE (UIDPLUS only).
        let fetched = try Self.fetch(
            services, "ruafetch5", db: temp.path("db.sqlite"), url: "imaps://ruafetch5@127.0.0.2:10993/INBOX")
        #expect(fetched.status == 0, "\(fetched.stderr)")
        #expect(fetched.stdout.contains("3 messages fetched, 3 moved"))
        #expect(services.messages("ruafetch5", in: "INBOX").map(\.name) == ["9000.test:2,T"])
        #expect(
            services.messages("ruafetch5", in: "Archive/Rua").count
                + services.messages("ruafetch5", in: "Archive/Rua/Other").count == 3)
    }

    @Test(.enabled(if: TestServices.running, TestServices.skipReason))
    func aNewUIDVALIDITYStartsLeaveOverAndTheRepeatsAreDuplicates() throws {
        let services = try #require(TestServices.current)
        let temp = try TemporaryDirectory()
        let db = temp.path("db.sqlite")
        try services.fill("ruafetch3", with: Array(Self.mail.prefix(3)))
        let first = try Self.fetch(services, "ruafetch3", db: db, ["--after", "leave"])
        #expect(first.stdout.contains("3 messages fetched"), "\(first.stdout)")
        // The mailbox recreated (a new UIDVALIDITY: Dovecot takes the time, so a second later): the
        // checkpoint no longer holds.
        usleep(1_100_000)
        try services.fill("ruafetch3", with: Array(Self.mail.prefix(3)))
        let again = try Self.fetch(services, "ruafetch3", db: db, ["--after", "leave"])
        #expect(again.stdout.contains("3 messages fetched"), "\(again.stdout)")
        #expect(again.stdout.contains("0 reports stored, 2 duplicates"), "\(again.stdout)")
    }

    @Test(.enabled(if: TestServices.running, TestServices.skipReason))
    func aMessageOf50MBIsFetchedThroughATemporaryFile() throws {
        let services = try #require(TestServices.current)
        let temp = try TemporaryDirectory()
        // A report with a 50 MB attachment beside it.
        let report = try String(
            contentsOfFile: Self.mail.first { $0.hasSuffix("google-zip.eml") } ?? "", encoding: .utf8)
        let boundary = report.components(separatedBy: "boundary=\"").dropFirst().first?.prefix { $0 != "\"" } ?? ""
        #expect(!boundary.isEmpty)
        let filler = String(repeating: String(repeating: "A", count: 76) + "\r\n", count: 700_000)
        let large = report.replacingOccurrences(
            of: "--\(boundary)--",
            with:
                "--\(boundary)\r\nContent-Type: application/octet-stream; name=\"big.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + filler + "--\(boundary)--")
        let file = try temp.write("large.eml", large)
        try services.fill("ruafetch1", with: [file])
        let spool = temp.path("spool")
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        let fetched = try RuaExecutable.run(
            [
                "fetch", "imaps://ruafetch1@127.0.0.1:10993/INBOX", "--password-file", services.passwordFile,
                "--ca-file",
                services.caFile, "--db", temp.path("db.sqlite"),
            ], environment: ["TMPDIR": spool])
        #expect(fetched.status == 0, "\(fetched.stderr)")
        #expect(
            fetched.stdout.contains("1 messages fetched, 1 moved. 1 input read: 1 report stored"), "\(fetched.stdout)")
        // The temporary file is gone with the message.
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool).isEmpty)
        #expect(large.utf8.count > 50_000_000)
    }
}

extension FetchCommandTests {
    /// Cut points: in the TLS handshake's wake, in the first messages, further on.
    @Test(.enabled(if: TestServices.running, TestServices.skipReason), arguments: [6_000, 12_000, 20_000])
    func aConnectionCutInTheMiddleLosesNothingAndDoublesNothing(_ cutAfter: Int) throws {
        let services = try #require(TestServices.current)
        let temp = try TemporaryDirectory()
        let db = temp.path("db.sqlite")
        try services.fill("ruafetch1", with: Self.mail)
        let proxy = try CuttingProxy(targetPort: 10993, cutAfter: cutAfter)
        let cut = try Self.fetch(services, "ruafetch1", db: db, url: "imaps://ruafetch1@127.0.0.1:\(proxy.port)/INBOX")
        #expect(cut.status == 69, "cut after \(cutAfter): \(cut.stdout) \(cut.stderr)")
        // Every message is somewhere: still in INBOX, or moved after its commit.
        let placed = { (folder: String) in services.messages("ruafetch1", in: folder).count }
        #expect(placed("INBOX") + placed("Archive/Rua") + placed("Archive/Rua/Other") == Self.mail.count)
        let again = try Self.fetch(services, "ruafetch1", db: db)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(placed("INBOX") == 0)
        #expect(placed("Archive/Rua") == 8 && placed("Archive/Rua/Other") == 2)
        // Each report stored once.
        let reports = try RuaExecutable.run(["reports", "--db", db, "--format", "ndjson"])
        #expect(reports.stdout.split(separator: "\n").count == 8)
    }
}

extension FetchCommandTests {
    @Test(.enabled(if: TestServices.running, TestServices.skipReason))
    func aConfigurationFileFetchesEveryMailboxAndNamesTheOneThatFails() throws {
        let services = try #require(TestServices.current)
        let temp = try TemporaryDirectory()
        try services.fill("ruafetch1", with: Array(Self.mail.prefix(3)))
        try services.fill("ruafetch2", with: Array(Self.mail.suffix(3)))
        let wrong = try temp.write("wrong", "not-the-password\n")
        let config = try temp.write(
            "mailboxes.ini",
            """
            # one mailbox per client
            [mailbox client-a]
            url = imaps://ruafetch1@127.0.0.1:10993/INBOX
            password-file = \(services.passwordFile)
            ca-file = \(services.caFile)
            after = move:Done

            [mailbox client-b]
            url = imap://ruafetch2@127.0.0.1:10143/INBOX
            password-file = \(services.passwordFile)
            ca-file = \(services.caFile)

            [mailbox client-c]
            url = imaps://ruafetch3@127.0.0.1:10993/INBOX
            password-file = \(wrong)
            ca-file = \(services.caFile)
            """)
        let fetched = try RuaExecutable.run(["fetch", "--config", config, "--db", temp.path("db.sqlite")])
        #expect(fetched.status == 77, "\(fetched.stderr)")
        #expect(
            fetched.stderr.contains(
                "rua: client-c: imaps://127.0.0.1:10993: the server refused the login for ruafetch3"))
        #expect(
            services.messages("ruafetch1", in: "INBOX").isEmpty && services.messages("ruafetch2", in: "INBOX").isEmpty)
        #expect(services.messages("ruafetch1", in: "Done").count == 2)
        // Mistakes are named with their line before anything is fetched.
        let bad = try temp.write(
            "bad.ini", "[mailbox x]\nurl = imaps://u@127.0.0.1/\npassword = secret\ncolour = blue\n")
        let refused = try RuaExecutable.run(["fetch", "--config", bad, "--db", temp.path("db.sqlite")])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("bad.ini:3: no secrets in the configuration file itself: use password-file"))
        #expect(refused.stderr.contains("bad.ini:4: unknown key 'colour'"))
    }
}

extension FetchCommandTests {
    @Test(.enabled(if: TestServices.running, TestServices.skipReason))
    func aBusyDatabaseExits75AndLeavesEveryMessageInPlace() throws {
        let services = try #require(TestServices.current)
        let temp = try TemporaryDirectory()
        let path = temp.path("db.sqlite")
        try services.fill("ruafetch4", with: Array(Self.mail.prefix(3)))
        let holder = try ReportDatabase(path: path)
        let result = try holder.holdingWriteLock {
            try Self.fetch(services, "ruafetch4", db: path, ["--busy-timeout", "0.2"])
        }
        #expect(result.status == 75, "\(result.stdout) \(result.stderr)")
        #expect(services.messages("ruafetch4", in: "INBOX").count == 3)
        #expect(services.messages("ruafetch4", in: "Archive/Rua").isEmpty)
        #expect(services.messages("ruafetch4", in: "INBOX").allSatisfy { !$0.flags.contains("S") })
    }
}

extension FetchCommandTests {
    @Test(.enabled(if: TestServices.running, TestServices.skipReason))
    func leaveSavesItsPlaceAsItGoesSoAKilledRunIsNotFetchedAgain() throws {
        let services = try #require(TestServices.current)
        let temp = try TemporaryDirectory()
        let db = temp.path("db.sqlite")
        try services.fill("ruafetch3", with: Array(repeating: Self.mail[0], count: 1_500))
        let process = Process()
        process.executableURL = RuaExecutable.url
        process.arguments = [
            "fetch", "imaps://ruafetch3@127.0.0.1:10993/INBOX", "--password-file", services.passwordFile, "--ca-file",
            services.caFile, "--db", db, "--after", "leave", "--quiet",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Killed once it has saved its place the first time (after 500 messages).
        var saved: (uidValidity: UInt32, uid: UInt32)?
        for _ in 0..<600 where saved == nil && process.isRunning {
            usleep(20_000)
            saved = try? ReportDatabase(path: db).mailboxCheckpoint("ruafetch3@127.0.0.1:10993/INBOX")
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let checkpoint = try #require(saved, "no place saved while running")
        #expect(checkpoint.uid >= 500)
        let rest = try Self.fetch(services, "ruafetch3", db: db, ["--after", "leave"])
        #expect(rest.status == 0, "\(rest.stderr)")
        let fetched =
            Int(rest.stdout.components(separatedBy: " messages fetched").first?.split(separator: " ").last ?? "") ?? -1
        #expect(fetched > 0 && fetched <= 1_500 - 500, "\(rest.stdout)")
        #expect(try ReportDatabase(path: db).mailboxCheckpoint("ruafetch3@127.0.0.1:10993/INBOX")?.uid == 1_500)
    }
}

extension FetchCommandTests {
    @Test(.enabled(if: TestServices.running, TestServices.skipReason))
    func aCertificateForAnotherHostIsRefusedWithTheReason() throws {
        let services = try #require(TestServices.current)
        let temp = try TemporaryDirectory()
        // 127.0.0.3 is the same Dovecot; its certificate names localhost, 127.0.0.1 and 127.0.0.2 only.
        let other = try Self.fetch(
            services, "ruafetch4", db: temp.path("db.sqlite"), url: "imaps://ruafetch4@127.0.0.3:10993/")
        #expect(other.status == 69)
        #expect(
            other.stderr.contains(
                "imaps://127.0.0.3:10993: TLS failed, the server's certificate is not trusted: IP address mismatch"))
        // The same over STARTTLS.
        let starttls = try Self.fetch(
            services, "ruafetch4", db: temp.path("db.sqlite"), url: "imap://ruafetch4@127.0.0.3:10143/")
        #expect(starttls.status == 69)
        #expect(starttls.stderr.contains("IP address mismatch"))
    }

    @Test(.enabled(if: TestServices.running, TestServices.skipReason))
    func foldersRenamedUnderItAreRecreatedOrNamed() throws {
        let services = try #require(TestServices.current)
        let temp = try TemporaryDirectory()
        let db = temp.path("db.sqlite")
        try services.fill("ruafetch2", with: Array(Self.mail.prefix(2)))
        _ = try Self.fetch(services, "ruafetch2", db: db)
        // Someone renames the archive: the next messages go to a new one, created again.
        let maildir = services.home + "/ruafetch2/Maildir"
        try FileManager.default.moveItem(atPath: maildir + "/.Archive.Rua", toPath: maildir + "/.Old Reports")
        let arriving = maildir + "/new/5000.test"
        try FileManager.default.copyItem(atPath: Self.mail[4], toPath: arriving)
        chown(arriving, getpwnam("ruamail").pointee.pw_uid, getpwnam("ruamail").pointee.pw_gid)
        let again = try Self.fetch(services, "ruafetch2", db: db)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(services.messages("ruafetch2", in: "Archive/Rua").count == 1)
        // The folder read renamed away: named, 69, nothing touched.
        let gone = try Self.fetch(services, "ruafetch2", db: db, url: "imaps://ruafetch2@127.0.0.1:10993/Reports")
        #expect(gone.status == 69)
        #expect(gone.stderr.contains("cannot open the folder Reports"))
    }
}
