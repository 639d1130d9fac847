/// Checks on domain names taken from reports, which strangers write.
public enum DomainName {
    /// Whether `text` has the shape of a domain name: dot-separated labels of 1 to 63 letters, digits,
    /// hyphens or underscores (non-ASCII letters allowed, for names sent in Unicode), 253 bytes at most.
    public static func isValid(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63
                && label.unicodeScalars.allSatisfy { scalar in
                    switch scalar {
                    case "a"..."z", "A"..."Z", "0"..."9", "-", "_": true
                    default: scalar.value >= 0x80 && scalar.properties.isAlphabetic
                    }
                }
        }
    }

    /// `text` as one word for a POSIX shell: as it is when it holds only characters no shell treats
    /// specially, else in single quotes. For command lines printed as advice: report data must never
    /// become a runnable command.
    public static func shellWord(_ text: String) -> String {
        let plain =
            !text.isEmpty
            && text.unicodeScalars.allSatisfy { scalar in
                switch scalar {
                case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", ":", "/", "@", "+", ",": true
                default: false
                }
            }
        if plain { return text }
        return "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}
