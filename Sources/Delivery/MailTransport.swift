import Foundation
import NetworkClient

/// How a message leaves: the local `sendmail` or SMTP submission.
public protocol MailTransport: Sendable {
    func send(_ message: MailMessage) throws
}

/// The local mailer's `sendmail` (Postfix's, Exim's, OpenSMTPD's…): the message on its standard input,
/// envelope sender and recipients as arguments. Its exit status is a sysexits(3) value like rua's own.
public struct Sendmail: MailTransport {
    public var path: String

    public init(path: String = "/usr/sbin/sendmail") { self.path = path }

    public func send(_ message: MailMessage) throws {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw NetworkError(
                .unavailable, "\(path): no sendmail here; install an MTA (Postfix) or send through --smtp URL")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        // -oi: a line holding a single dot is text, not the end; -f: the envelope sender.
        process.arguments = ["-oi", "-f", message.from.address, "--"] + message.to.map(\.address)
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do { try process.run() } catch {
            throw NetworkError(.unavailable, "\(path): cannot run: \(error.localizedDescription)")
        }
        let written = Result { try input.fileHandleForWriting.write(contentsOf: message.rendered(lineEnding: "\n")) }
        try? input.fileHandleForWriting.close()
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        process.waitUntilExit()
        let status = process.terminationStatus
        guard status == 0, case .success = written else {
            let reason = said.isEmpty ? "exit status \(status)" : said
            throw NetworkError(status == 75 ? .temporary : .rejected, "\(path) did not accept the message: \(reason)")
        }
    }
}

/// SMTP submission through libcurl: `smtp://host:587` with STARTTLS required, or `smtps://host:465`
/// with TLS from the first byte; AUTH when a user is given, never over an unencrypted connection;
/// certificates verified against the system's store or `caFile`.
public struct SMTPSubmission: MailTransport {
    public var url: String
    public var user: String?
    public var password: String?
    public var caFile: String?
    /// Allows `smtp://` without STARTTLS, for a relay on the same host; never with a password.
    public var allowPlaintext: Bool

    public init(url: String, user: String?, password: String?, caFile: String?, allowPlaintext: Bool) throws {
        let lower = url.lowercased()
        guard lower.hasPrefix("smtp://") || lower.hasPrefix("smtps://") else {
            throw NetworkError(.usage, "--smtp \(url): use smtp://HOST[:587] (STARTTLS) or smtps://HOST[:465] (TLS)")
        }
        if allowPlaintext && password != nil && lower.hasPrefix("smtp://") {
            throw NetworkError(
                .usage, "--smtp \(url): rua does not send a password over a connection that may be unencrypted")
        }
        self.url = url
        self.user = user
        self.password = password
        self.caFile = caFile
        self.allowPlaintext = allowPlaintext
    }

    public func send(_ message: MailMessage) throws {
        let transfer = try CurlTransfer(url: url, server: url)
        if url.lowercased().hasPrefix("smtp://") {
            transfer.set(CURLOPT_USE_SSL, Int(allowPlaintext ? CURLUSESSL_TRY.rawValue : CURLUSESSL_ALL.rawValue))
        }
        if let caFile { transfer.set(CURLOPT_CAINFO, caFile) }
        if let user { transfer.set(CURLOPT_USERNAME, user) }
        if let password { transfer.set(CURLOPT_PASSWORD, password) }
        transfer.set(CURLOPT_MAIL_FROM, "<\(message.from.address)>")
        transfer.set(CURLOPT_MAIL_RCPT, list: message.to.map { "<\($0.address)>" })
        let bytes = message.rendered()
        transfer.upload(bytes)
        transfer.set(CURLOPT_UPLOAD, 1)
        transfer.set(CURLOPT_INFILESIZE, bytes.count)
        transfer.set(CURLOPT_TIMEOUT, 300)
        try transfer.perform(login: user)
    }
}
