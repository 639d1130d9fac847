import Foundation
import NetworkClient

/// An HTTPS POST of a JSON body (Slack, Teams, Mattermost incoming webhooks, or any endpoint): success is
/// a 2xx answer; anything else is an error quoting the start of the answer.
public struct Webhook: Sendable {
    public var url: String
    public var caFile: String?

    public init(url: String, caFile: String?, allowPlaintext: Bool) throws {
        let lower = url.lowercased()
        guard lower.hasPrefix("https://") || (allowPlaintext && lower.hasPrefix("http://")) else {
            throw NetworkError(
                .usage,
                "--webhook \(NetworkError.shown(url)): use an https:// URL (http:// only with --allow-plaintext)")
        }
        self.url = url
        self.caFile = caFile
    }

    /// The URL without its path and query, which for Slack and Teams hold the secret.
    public func post(json: [UInt8]) throws {
        let server = NetworkError.shown(url)
        let transfer = try CurlTransfer(url: url, server: server)
        if let caFile { transfer.set(CURLOPT_CAINFO, caFile) }
        transfer.set(CURLOPT_POST, 1)
        transfer.upload(json)
        transfer.set(CURLOPT_POSTFIELDSIZE, json.count)
        transfer.set(CURLOPT_HTTPHEADER, list: ["Content-Type: application/json; charset=utf-8", "Expect:"])
        transfer.set(CURLOPT_FOLLOWLOCATION, 0)
        transfer.set(CURLOPT_TIMEOUT, 60)
        try transfer.perform()
        let status = transfer.responseCode
        guard (200..<300).contains(status) else {
            let answer = transfer.answer.prefix(200).replacingOccurrences(of: "\n", with: " ")
            throw NetworkError(
                (500..<600).contains(status) || status == 429 ? .temporary : .rejected,
                "\(server): the webhook answered \(status)\(answer.isEmpty ? "" : ": \(answer)")")
        }
    }
}
