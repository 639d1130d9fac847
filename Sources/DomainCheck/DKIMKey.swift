import CTLS
import Foundation

/// A DKIM key record (RFC 6376 §3.6.1): its tags, the key's type and size, and whether it is revoked
/// (`p=` empty) or in testing (`t=y`).
public struct DKIMKey: Sendable {
    public var tags: [String: String] = [:]
    public var keyType: String { tags["k"]?.lowercased() ?? "rsa" }
    public var revoked: Bool { (tags["p"] ?? "").isEmpty }
    public var testing: Bool { (tags["t"] ?? "").split(separator: ":").contains("y") }
    /// The RSA modulus size in bits; nil for other key types or a key that cannot be read.
    public var bits: Int?

    public init(_ text: String) {
        for part in text.split(separator: ";") {
            let pieces = part.split(separator: "=", maxSplits: 1).map {
                $0.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard pieces.count == 2 else { continue }
            tags[pieces[0].lowercased()] = pieces[1].replacingOccurrences(of: " ", with: "")
        }
        if keyType == "rsa", let p = tags["p"], !p.isEmpty, let der = Data(base64Encoded: p) {
            bits = Self.rsaBits(Array(der))
        }
    }

    /// The key size of a DER SubjectPublicKeyInfo (or bare RSAPublicKey), read by OpenSSL.
    static func rsaBits(_ der: [UInt8]) -> Int? {
        der.withUnsafeBufferPointer { buffer -> Int? in
            var pointer: UnsafePointer<UInt8>? = buffer.baseAddress
            if let key = d2i_PUBKEY(nil, &pointer, buffer.count) {
                defer { EVP_PKEY_free(key) }
                return Int(EVP_PKEY_get_bits(key))
            }
            pointer = buffer.baseAddress
            if let rsa = d2i_RSAPublicKey(nil, &pointer, buffer.count) {
                defer { RSA_free(rsa) }
                return Int(RSA_bits(rsa))
            }
            return nil
        }
    }
}
