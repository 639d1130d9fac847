import CDomainNames

/// Domain names as DMARC compares them (RFC 7489 §3.2, standards digest §6.1): normalized, and reduced
/// to their Organizational Domain through the Public Suffix List (libpsl, ICANN and private sections).
/// The only file that talks to libpsl and libidn2.
public final class OrganizationalDomains: @unchecked Sendable {
    /// The list Debian ships (`/usr/share/publicsuffix`) when it is newer than libpsl's built-in copy.
    public static let shared = OrganizationalDomains()

    // Read-only once loaded: libpsl's lookups are safe from any thread.
    private let context: OpaquePointer?

    private init() {
        context = psl_latest(nil) ?? psl_builtin()
    }

    /// The Organizational Domain of a normalized name: the longest public suffix plus one label. Nil for
    /// a public suffix itself (`com`, `co.uk`), which is never an Organizational Domain, and for nil.
    public func organizationalDomain(of name: String?) -> String? {
        guard let name, !name.isEmpty, let context else { return nil }
        return name.withCString { pointer in
            psl_registrable_domain(context, pointer).map { String(cString: $0) }
        }
    }

    /// True when `name` (normalized) is a public suffix, such as `com`, `co.uk` or a private suffix.
    public func isPublicSuffix(_ name: String) -> Bool {
        guard let context else { return false }
        return name.withCString { psl_is_public_suffix2(context, $0, Int32(PSL_TYPE_ANY)) != 0 }
    }

    /// The Unicode form (U-labels) of a domain given as A-labels (`xn--gpher-jua.test` → `göpher.test`);
    /// `nil` when it has no other form or IDNA rejects it.
    public static func unicodeForm(_ name: String) -> String? {
        guard name.lowercased().contains("xn--") else { return nil }
        var output: UnsafeMutablePointer<CChar>?
        let status = name.withCString { idn2_to_unicode_8z8z($0, &output, 0) }
        defer { idn2_free(output) }
        guard status == Int32(IDN2_OK.rawValue), let output else { return nil }
        let unicode = String(cString: output)
        return unicode == name ? nil : unicode
    }

    /// A domain as DMARC compares it: trimmed, one trailing dot dropped, lower-cased, Unicode labels
    /// converted to A-labels (IDNA 2008, TR46 non-transitional). Nil for an empty name, or for one
    /// IDNA rejects, which then cannot align with anything.
    public static func normalize(_ raw: String?) -> String? {
        guard let raw else { return nil }
        var name = Substring(raw)
        while let first = name.first, first == " " || first == "\t" { name = name.dropFirst() }
        while let last = name.last, last == " " || last == "\t" || last == "\r" || last == "\n" {
            name = name.dropLast()
        }
        if name.last == "." { name = name.dropLast() }
        guard !name.isEmpty else { return nil }
        if name.utf8.allSatisfy({ $0 < 0x80 }) { return name.lowercased() }
        var output: UnsafeMutablePointer<CChar>?
        let status = String(name).withCString { idn2_to_ascii_8z($0, &output, Int32(IDN2_NONTRANSITIONAL.rawValue)) }
        defer { idn2_free(output) }
        guard status == Int32(IDN2_OK.rawValue), let output else { return nil }
        return String(cString: output).lowercased()
    }
}
