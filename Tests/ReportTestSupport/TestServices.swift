import Foundation
import Glibc
import Testing

/// The mail servers `Scripts/test-services` started (Postfix with submission and sendmail, Dovecot), as
/// its `services.json` describes them; nil when they are not running, so that tests needing them are
/// skipped with the reason.
public struct TestServices: Decodable, Sendable {
    public var smtpStarttls: String
    public var smtps: String
    public var imapStarttls: String
    public var imaps: String
    public var user: String
    public var address: String
    public var passwordFile: String
    public var caFile: String
    public var maildir: String
    public var sendmail: String
    /// Users whose mailboxes the fetch tests fill and empty, one per test.
    public var fetchUsers: String
    /// Their homes are here, each with a Maildir.
    public var home: String
    /// The token endpoints' stand-in, and the user its tokens are good for.
    public var oauthHTTPS: String
    public var oauthUser: String
    /// The certificate and key the stand-in knows the test app by (Microsoft's certificate credential).
    public var oauthAppCertificate: String
    public var oauthAppKey: String

    enum CodingKeys: String, CodingKey {
        case smtpStarttls = "smtp_starttls", smtps, imapStarttls = "imap_starttls", imaps, user, address
        case passwordFile = "password_file", caFile = "ca_file", maildir, sendmail, fetchUsers = "fetch_users", home,
            oauthHTTPS = "oauth_https", oauthUser = "oauth_user"
        case oauthAppCertificate = "oauth_app_certificate", oauthAppKey = "oauth_app_key"
    }

    public static let current: TestServices? = {
        let directory = ProcessInfo.processInfo.environment["RUA_TEST_DIR"] ?? "/var/lib/rua-test"
        guard let data = FileManager.default.contents(atPath: directory + "/services.json"),
            let services = try? JSONDecoder().decode(TestServices.self, from: data),
            reachable(port: services.smtpStarttls), access(services.maildir, R_OK) == 0
        else { return nil }
        return services
    }()

    public static var running: Bool { current != nil }
    public static let skipReason: Comment =
        "the test mail servers are not running (Scripts/test-services start, as root; Scripts/test runs it)"

    /// True when something listens on the URL's loopback port.
    static func reachable(port url: String) -> Bool {
        guard let text = url.split(separator: ":").last, let port = UInt16(text) else { return false }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Calls the token stand-in (`/revoke`, `/reset`, `/stats`) with curl; returns its answer.
    @discardableResult
    public func standin(_ path: String, post: Bool = true) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "--cacert", caFile] + (post ? ["-X", "POST"] : []) + [oauthHTTPS + path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Empties `user`'s mailbox (every folder) and puts `files` in its INBOX as new messages.
    public func fill(_ user: String, with files: [String]) throws {
        let maildir = home + "/" + user + "/Maildir"
        try? FileManager.default.removeItem(atPath: maildir)
        for folder in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(atPath: maildir + "/" + folder, withIntermediateDirectories: true)
        }
        for (index, file) in files.enumerated() {
            try FileManager.default.copyItem(atPath: file, toPath: maildir + "/new/\(1000 + index).test")
        }
        guard let owner = getpwnam("ruamail") else { return }
        for path in [home + "/" + user]
            + ((try? FileManager.default.subpathsOfDirectory(atPath: home + "/" + user)) ?? [])
            .map({ home + "/" + user + "/" + $0 })
        {
            chown(path, owner.pointee.pw_uid, owner.pointee.pw_gid)
        }
    }

    /// The messages in a folder of `user`'s mailbox (`INBOX`, `Archive/Rua`), with their Maildir flags.
    public func messages(_ user: String, in folder: String) -> [(name: String, flags: String)] {
        let maildir = home + "/" + user + "/Maildir"
        let path = folder == "INBOX" ? maildir : maildir + "/." + folder.replacingOccurrences(of: "/", with: ".")
        var found: [(String, String)] = []
        for sub in ["new", "cur"] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path + "/" + sub)) ?? [] {
                let flags = name.components(separatedBy: ":2,").dropFirst().first ?? ""
                found.append((name, flags))
            }
        }
        return found
    }

    /// Waits up to `timeout` seconds for a message in the Maildir whose text contains `marker`; returns it.
    public func delivered(containing marker: String, timeout: Double = 30) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            for folder in ["new", "cur"] {
                let path = maildir + "/" + folder
                for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                    if let data = FileManager.default.contents(atPath: path + "/" + name) {
                        let text = String(decoding: data, as: UTF8.self)
                        if text.contains(marker) { return text }
                    }
                }
            }
            usleep(200_000)
        }
        return nil
    }
}
