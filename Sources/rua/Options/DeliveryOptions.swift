import ArgumentParser
import Delivery
import Foundation
import NetworkClient

/// `--mail-to`, `--webhook` and how they go out: the digest and alerts delivered by the command itself,
/// so that a cron job needs no `mail` program that knows HTML.
struct DeliveryOptions: ParsableArguments {
    @Option(
        name: .customLong("mail-to"),
        help: ArgumentHelp(
            "Mail it (text and HTML) to this address; repeat or separate with commas.", valueName: "address"))
    var mailTo: [String] = []

    @Option(help: ArgumentHelp("The From address (default: Rua <rua@HOSTNAME>).", valueName: "address"))
    var mailFrom: String?

    @Option(help: ArgumentHelp("The subject (default: the period and what needs attention).", valueName: "text"))
    var subject: String?

    @Option(
        help: ArgumentHelp(
            "Send through SMTP submission instead of sendmail: smtp://HOST:587 (STARTTLS required) or smtps://HOST:465.",
            valueName: "url"))
    var smtp: String?

    @Option(help: ArgumentHelp("Log in to the SMTP server as this user.", valueName: "user"))
    var smtpUser: String?

    @Option(
        help: ArgumentHelp(
            "Read the SMTP password from this file (or set RUA_SMTP_PASSWORD); never on the command line.",
            valueName: "file"))
    var smtpPasswordFile: String?

    @Option(help: ArgumentHelp("The sendmail program used without --smtp.", valueName: "path"))
    var sendmail = "/usr/sbin/sendmail"

    @Option(
        help: ArgumentHelp(
            "POST it as JSON to this HTTPS URL (a Slack, Teams or Mattermost incoming webhook, or any endpoint).",
            valueName: "url"))
    var webhook: String?

    @Option(
        help: ArgumentHelp(
            "Trust the certificates of this CA file (a private CA) for --smtp and --webhook.", valueName: "file"))
    var caFile: String?

    @Flag(help: "Allow smtp:// without STARTTLS (a relay on this host; never with a password) and an http:// webhook.")
    var allowPlaintext = false

    var mails: Bool { !mailTo.isEmpty }
    var delivers: Bool { mails || webhook != nil }

    func validate() throws {
        if !mails && (smtp != nil || smtpUser != nil || smtpPasswordFile != nil || mailFrom != nil || subject != nil) {
            throw ValidationError("--smtp, --smtp-user, --smtp-password-file, --mail-from and --subject need --mail-to")
        }
        for address in recipientTexts where MailAddress(address) == nil {
            throw ValidationError("--mail-to '\(address)' is not an e-mail address")
        }
        if let mailFrom, MailAddress(mailFrom) == nil {
            throw ValidationError(
                "--mail-from '\(mailFrom)' is not an e-mail address (name@domain or Name <name@domain>)")
        }
        if smtpPasswordFile != nil && smtpUser == nil {
            throw ValidationError("--smtp-password-file needs --smtp-user")
        }
        if smtpUser != nil && smtp == nil {
            throw ValidationError("--smtp-user needs --smtp URL (sendmail logs in to nothing)")
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ValidationError("--ca-file \(caFile): cannot be read")
        }
    }

    private var recipientTexts: [String] {
        mailTo.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    private var sender: MailAddress {
        if let mailFrom, let address = MailAddress(mailFrom) { return address }
        let host = ProcessInfo.processInfo.hostName
        return MailAddress("Rua <rua@\(host.isEmpty ? "localhost" : host)>") ?? MailAddress("rua@localhost")!
    }

    /// The SMTP password: from the file (its first line), else from RUA_SMTP_PASSWORD.
    private func password() throws -> String? {
        guard smtpUser != nil else { return nil }
        if let smtpPasswordFile { return try SecretFile.firstLine(smtpPasswordFile, "--smtp-password-file") }
        if let password = ProcessInfo.processInfo.environment["RUA_SMTP_PASSWORD"] { return password }
        throw NetworkError(
            .usage, "--smtp-user \(smtpUser ?? ""): give the password with --smtp-password-file or RUA_SMTP_PASSWORD")
    }

    private func transport() throws -> any MailTransport {
        guard let smtp else { return Sendmail(path: sendmail) }
        return try SMTPSubmission(
            url: smtp, user: smtpUser, password: try password(), caFile: caFile, allowPlaintext: allowPlaintext)
    }

    /// Sends what was asked (mail, webhook, both); every failure is printed, naming the server and the
    /// reason, and the most serious decides the exit status returned (nil when all went out).
    func deliver(
        subject defaultSubject: String, text: String, html: String?, webhookJSON: () -> String, now: Int64
    )
        -> Int32?
    {
        var failures: [NetworkError] = []
        if mails {
            do {
                let message = MailMessage(
                    from: sender, to: recipientTexts.compactMap(MailAddress.init), subject: subject ?? defaultSubject,
                    date: now, text: text, html: html)
                try transport().send(message)
            } catch let error as NetworkError {
                failures.append(error)
            } catch {
                failures.append(NetworkError(.unavailable, "\(error)"))
            }
        }
        if let webhook {
            do {
                try Webhook(url: webhook, caFile: caFile, allowPlaintext: allowPlaintext).post(
                    json: Array(webhookJSON().utf8))
            } catch let error as NetworkError {
                failures.append(error)
            } catch {
                failures.append(NetworkError(.unavailable, "\(error)"))
            }
        }
        for failure in failures { printError("rua: not delivered: \(failure.message)") }
        return failures.map { Self.status($0.kind) }.max { Self.rank($0) < Self.rank($1) }
    }

    static func status(_ kind: NetworkError.Kind) -> Int32 {
        ExitStatus.of(NetworkError(kind, "")).rawValue
    }

    /// A usage error first, a refused login next: what the user must fix before anything else.
    private static func rank(_ status: Int32) -> Int {
        [75, 69, 76, 77, 64].firstIndex(of: status) ?? 0
    }
}
