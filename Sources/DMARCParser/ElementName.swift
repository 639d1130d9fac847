/// The local names the DMARC parser understands, in any namespace.
enum ElementName: String, CaseIterable {
    case feedback, schema, version
    case reportMetadata = "report_metadata"
    case orgName = "org_name"
    case email
    case extraContactInfo = "extra_contact_info"
    case reportID = "report_id"
    case dateRange = "date_range"
    case begin, end, error, generator
    case policyPublished = "policy_published"
    case domain, adkim, aspf, p, sp, np, pct, fo, testing
    case discoveryMethod = "discovery_method"
    case `extension`
    case record, row
    case sourceIP = "source_ip"
    case count
    case policyEvaluated = "policy_evaluated"
    case disposition, dkim, spf, reason, type, comment
    case identifiers
    case identities
    case envelopeTo = "envelope_to"
    case envelopeFrom = "envelope_from"
    case headerFrom = "header_from"
    case authResults = "auth_results"
    case selector, result
    case humanResult = "human_result"
    case scope

    static let byName: [String: ElementName] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })

    /// Elements whose text is prose for people (names, addresses, comments): cut at the text limit with a
    /// warning. Every other value must be read whole.
    var isFreeText: Bool {
        switch self {
        case .orgName, .email, .extraContactInfo, .error, .generator, .comment, .humanResult: true
        default: false
        }
    }
}

/// Where in a report the parser is: what the element being read means.
enum ParseContext: Equatable {
    case document
    /// An `xs:schema` wrapper around `<feedback>` (IKEA's quirk).
    case wrapper
    case feedback
    case metadata
    case dateRange
    case policy
    /// A second `<policy_published>`, which is ignored.
    case ignoredPolicy
    case record
    case row
    case policyEvaluated
    case reason
    case identifiers
    case authResults
    case dkim
    case spf
    /// A leaf whose text is being collected.
    case leaf(ElementName)
    /// Inside an element kept verbatim; `depth` counts open elements below the captured one.
    case capture(depth: Int)
    /// Inside an element whose content is not used (an element nested in a leaf).
    case skip(depth: Int)
}

/// One open element.
struct Frame {
    var context: ParseContext
    /// Its depth in libxml2's element stack (1 for the root).
    var depth: Int
}

/// Maps libxml2's element names to ``ElementName``. libxml2 interns names in its dictionary, so within one
/// parse the same name always arrives at the same address: a small table keyed by that address answers
/// without building a string, and a miss falls back to the name's text.
struct ElementNameCache {
    private static let size = 256
    private var keys = [UnsafePointer<UInt8>?](repeating: nil, count: ElementNameCache.size)
    private var values = [ElementName?](repeating: nil, count: ElementNameCache.size)

    mutating func lookup(_ name: UnsafePointer<UInt8>) -> ElementName? {
        var slot = (Int(bitPattern: name) >> 3) & (Self.size - 1)
        // Hit: the slot holds this very pointer (the common case, checked without bounds checks).
        let hit = keys.withUnsafeBufferPointer { $0[slot] == name }
        if hit { return values.withUnsafeBufferPointer { $0[slot] } }
        for _ in 0..<Self.size {
            guard let key = keys[slot] else {
                let value = ElementName.byName[String(cString: name)]
                keys[slot] = name
                values[slot] = value
                return value
            }
            if key == name { return values[slot] }
            slot = (slot + 1) & (Self.size - 1)
        }
        // Table full (a document with hundreds of distinct element names): no caching.
        return ElementName.byName[String(cString: name)]
    }
}
