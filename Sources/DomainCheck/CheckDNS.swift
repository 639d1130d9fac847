import ReportModel
import SenderAttribution

/// The DNS a check asks: TXT, MX and addresses. ``ReverseResolver`` answers it through c-ares; tests
/// point it at a local server.
public protocol CheckDNS: AnyObject {
    func txt(_ name: String) -> ReverseResolver.Answer<[String]>
    func mx(_ name: String) -> ReverseResolver.Answer<[(preference: Int, host: String)]>
    func addresses(_ name: String) -> ReverseResolver.Answer<[String]>
    func count(_ name: String, type: Int32) -> ReverseResolver.Answer<Int>
    /// Each address's PTR name and whether it resolves back.
    func lookup(_ addresses: [String]) -> [String: ReverseLookup]
}

extension ReverseResolver: CheckDNS {}
