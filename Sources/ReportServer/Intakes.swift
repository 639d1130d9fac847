import Foundation
import HTTPTypes
import Hummingbird
import ReportModel
import ReportRendering

/// `POST /tlsrpt` (RFC 8460 §3: a TLS report as `application/tlsrpt+json` or `application/tlsrpt+gzip`,
/// from any sender) and `POST /upload` (any report file or message `rua import` takes, from a collector
/// with a write token). The answer comes once the input's outcome is committed: 201 stored, 200 already
/// stored, 422 not a usable report (kept in the quarantine with the reason), 503 when the database
/// failed (nothing stored: send again). Refused before reading: 413 too large, 415 wrong type, 429 too
/// many requests from one address.
enum Intakes {
    static func tlsReport(_ state: ServerState, _ request: Request, _ context: ServerContext) async throws -> Response {
        let type = (request.headers[.contentType] ?? "").split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard type == "application/tlsrpt+json" || type == "application/tlsrpt+gzip" else {
            state.counters.add("refused")
            throw HTTPError(
                .unsupportedMediaType, message: "send application/tlsrpt+json or application/tlsrpt+gzip (RFC 8460 §3)")
        }
        let body = try await receive(state, request, context)
        // The type must say what the bytes are: gzip's magic number, or JSON's opening brace.
        let gzip = body.count >= 2 && body[0] == 0x1F && body[1] == 0x8B
        let json = body.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "{")
        guard type == "application/tlsrpt+gzip" ? gzip : json else {
            state.counters.add("refused")
            throw HTTPError(
                .badRequest, message: "the body is not \(type == "application/tlsrpt+gzip" ? "gzip" : "JSON")")
        }
        return try await submit(state, name: "https-tlsrpt from \(context.client)", body)
    }

    static func upload(_ state: ServerState, _ request: Request, _ context: ServerContext) async throws -> Response {
        let body = try await receive(state, request, context)
        // The collector's name for the file (its extension helps nobody: content is sniffed), kept short.
        let given = request.uri.queryParameters["name"].map(String.init) ?? ""
        let name = String(given.prefix(200).map { $0.isASCII && !$0.isNewline ? $0 : "_" })
        return try await submit(
            state, name: "upload from \(context.client)" + (name.isEmpty ? "" : ": \(name)"), body)
    }

    /// The body, within the limits.
    static func receive(_ state: ServerState, _ request: Request, _ context: ServerContext) async throws -> [UInt8] {
        guard state.limiter.allow(context.client) else {
            state.counters.add("rate_limited")
            throw HTTPError(
                .tooManyRequests, headers: [.retryAfter: "60"],
                message: "too many uploads from \(context.client): wait a minute")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > state.configuration.maxBodyBytes {
            state.counters.add("too_large")
            throw HTTPError(.contentTooLarge, message: "the body is over \(state.configuration.maxBodyBytes) bytes")
        }
        do {
            let buffer = try await request.body.collect(upTo: state.configuration.maxBodyBytes)
            guard buffer.readableBytes > 0 else { throw HTTPError(.badRequest, message: "the body is empty") }
            return Array(buffer.readableBytesView)
        } catch let error as HTTPError {
            throw error
        } catch {
            state.counters.add("too_large")
            throw HTTPError(.contentTooLarge, message: "the body is over \(state.configuration.maxBodyBytes) bytes")
        }
    }

    static func submit(_ state: ServerState, name: String, _ body: [UInt8]) async throws -> Response {
        switch await state.intake.submit(name: name, bytes: body) {
        case .failed(let reason):
            state.counters.add("failed")
            throw HTTPError(.serviceUnavailable, headers: [.retryAfter: "60"], message: "not stored: \(reason)")
        case .done(let items):
            let outcomes = Set(items.map(\.outcome))
            let status: HTTPResponse.Status
            if outcomes.contains(.stored) {
                status = .created
                state.counters.add("stored")
            } else if outcomes.contains(.duplicate) {
                status = .ok
                state.counters.add("duplicate")
            } else {
                status = .unprocessableContent
                state.counters.add("rejected")
            }
            let lines = items.map(ImportRenderer.jsonLine).joined(separator: ",")
            let body = "{\"items\":[\(lines)]}\n"
            return Routes.response(status, "application/json", Array(body.utf8))
        }
    }
}
