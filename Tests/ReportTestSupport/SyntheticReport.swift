/// A DMARC aggregate report written as XML by a test: one reporter, one policy domain, one date range.
public struct SyntheticReport: Sendable {
    public struct Row: Sendable {
        public var ip: String
        public var count: Int
        public var dkim: String
        public var spf: String
        public var headerFrom: String
        public var signingDomain: String?
        public var disposition: String
        /// The reporter's aligned-DKIM verdict when it differs from the signature's result (a pass for
        /// another domain is a `fail` here).
        public var evaluatedDKIM: String?

        public init(
            _ ip: String, _ count: Int, dkim: String = "pass", spf: String = "pass", headerFrom: String = "example.com",
            signingDomain: String? = nil, disposition: String = "none", evaluatedDKIM: String? = nil
        ) {
            self.evaluatedDKIM = evaluatedDKIM
            self.ip = ip
            self.count = count
            self.dkim = dkim
            self.spf = spf
            self.headerFrom = headerFrom
            self.signingDomain = signingDomain
            self.disposition = disposition
        }
    }

    public var org: String
    public var reportID: String
    public var domain: String
    public var begin: Int64
    public var end: Int64
    public var policy: String
    public var rows: [Row]

    public init(
        org: String, reportID: String, domain: String = "example.com", begin: Int64, end: Int64? = nil,
        policy: String = "none", rows: [Row]
    ) {
        self.org = org
        self.reportID = reportID
        self.domain = domain
        self.begin = begin
        self.end = end ?? begin + 86_399
        self.policy = policy
        self.rows = rows
    }

    /// The XML, with characters that matter in XML escaped.
    public var xml: String {
        func escaped(_ text: String) -> String {
            text.replacingAll("&", "&amp;").replacingAll("<", "&lt;").replacingAll(">", "&gt;")
                .replacingAll("\"", "&quot;")
        }
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <feedback>
              <report_metadata><org_name>\(escaped(org))</org_name><email>dmarc@\(escaped(domain))</email>
                <report_id>\(escaped(reportID))</report_id>
                <date_range><begin>\(begin)</begin><end>\(end)</end></date_range></report_metadata>
              <policy_published><domain>\(escaped(domain))</domain><adkim>r</adkim><aspf>r</aspf>
                <p>\(policy)</p><sp>\(policy)</sp><pct>100</pct></policy_published>

            """
        for row in rows {
            let signer = row.signingDomain ?? row.headerFrom
            out += """
                  <record><row><source_ip>\(row.ip)</source_ip><count>\(row.count)</count>
                    <policy_evaluated><disposition>\(row.disposition)</disposition><dkim>\(row.evaluatedDKIM ?? row.dkim)</dkim><spf>\(row.spf)</spf></policy_evaluated></row>
                    <identifiers><header_from>\(escaped(row.headerFrom))</header_from></identifiers>
                    <auth_results><dkim><domain>\(escaped(signer))</domain><selector>s1</selector><result>\(row.dkim)</result></dkim>
                      <spf><domain>\(escaped(row.headerFrom))</domain><result>\(row.spf)</result></spf></auth_results></record>

                """
        }
        return out + "</feedback>\n"
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
