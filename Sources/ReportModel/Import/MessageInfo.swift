/// What Rua keeps of an e-mail message that carried (or failed to carry) reports.
public struct MessageInfo: Hashable, Sendable {
    public var messageID: String?
    /// The Date header as sent.
    public var date: String?
    public var from: String?
    /// The Subject, RFC 2047 words decoded.
    public var subject: String?
    /// TLS-RPT's `TLS-Report-Domain` and `TLS-Report-Submitter` headers (RFC 8460 §5.3).
    public var tlsReportDomain: String?
    public var tlsReportSubmitter: String?

    public init(
        messageID: String? = nil, date: String? = nil, from: String? = nil, subject: String? = nil,
        tlsReportDomain: String? = nil, tlsReportSubmitter: String? = nil
    ) {
        self.messageID = messageID
        self.date = date
        self.from = from
        self.subject = subject
        self.tlsReportDomain = tlsReportDomain
        self.tlsReportSubmitter = tlsReportSubmitter
    }
}
