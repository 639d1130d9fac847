import Glibc
import Testing

@testable import DMARCParser

@Suite struct NormalizationTests {
    /// What the parser accepted before the allocation-free check: whatever `inet_pton` reads as IPv4,
    /// written with digits and dots only.
    static func acceptedByInetPton(_ text: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1
            && text.utf8.allSatisfy { $0 == 0x2E || (0x30...0x39).contains($0) }
    }

    @Test func theIPv4FastPathAgreesWithInetPton() {
        let tricky = [
            "192.0.2.1", "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.5", "1..2.3", "", ".1.2.3",
            "1.2.3.", "01.2.3.4", "1.2.3.04", "1.2.3.0", "10.0.0.1", "1.2.3.4 ", " 1.2.3.4", "1.2.3.1000", "999.1.1.1",
            "0.0.0.00", "2001:db8::1", "::ffff:192.0.2.1", "1.2.3.4a",
        ]
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789.")
        let random = (0..<5_000).map { _ in
            String(
                (0..<Int.random(in: 1...16, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
        }
        for text in tricky + random {
            #expect(Normalization.isCanonicalIPv4(text) == Self.acceptedByInetPton(text), "\(text)")
        }
        #expect(Normalization.canonicalIP("192.0.2.1") == "192.0.2.1")
        #expect(Normalization.canonicalIP("2001:DB8:0:0::1") == "2001:db8::1")
        #expect(Normalization.canonicalIP("01.2.3.4") == nil)
    }
}
