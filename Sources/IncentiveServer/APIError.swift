import Foundation
import HTTPTypes
import Hummingbird
import IncentiveEngine
import IncentiveStore
import Logging
import NIOCore

/// Every error answer of the API: `{"error": {"code", "message", "details": [...]}}`.
struct APIError: Error, HTTPResponseError {
    struct Detail: Encodable, Sendable {
        var file: String?
        var line: Int?
        var column: String?
        var value: String?
        var message: String
    }

    var status: HTTPResponse.Status
    var code: String
    var message: String
    var details: [Detail] = []

    static func notFound(_ message: String) -> APIError { APIError(status: .notFound, code: "not_found", message: message) }
    static func badRequest(_ message: String) -> APIError { APIError(status: .badRequest, code: "bad_request", message: message) }
    static let unauthorized = APIError(status: .unauthorized, code: "unauthorized", message: "sign in: a bearer token or a session is needed")
    static let forbidden = APIError(status: .forbidden, code: "forbidden", message: "this needs an admin account")

    /// Input that failed validation: every problem with file, line, column and value.
    static func invalid(_ report: DiagnosticReport, what: String) -> APIError {
        APIError(
            status: .unprocessableContent, code: "invalid_input",
            message: "\(report.collector.errorCount) problem(s) found; \(what)",
            details: report.collector.errors.map {
                Detail(file: $0.file, line: $0.line, column: $0.column, value: $0.value, message: $0.message)
            })
    }

    struct Body: Encodable {
        struct Inner: Encodable {
            var code: String
            var message: String
            var details: [Detail]
        }
        var error: Inner
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONBody.response(Body(error: .init(code: code, message: message, details: details)), status: status)
    }
}

/// Turns workspace errors and Hummingbird's own errors into the API's error shape.
struct ErrorMiddleware: RouterMiddleware {
    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as WorkspaceError {
            throw APIError(status: .unprocessableContent, code: "rejected", message: error.message)
        } catch let error as HTTPError {
            throw APIError(status: error.status, code: Self.code(error.status), message: error.body ?? error.status.reasonPhrase)
        } catch let error as any HTTPResponseError {
            throw APIError(status: error.status, code: Self.code(error.status), message: error.status.reasonPhrase)
        } catch let error as DecodingError {
            throw APIError.badRequest("the JSON body does not have the expected shape: \(Self.describe(error))")
        } catch {
            context.logger.error("internal error", metadata: ["error": "\(error)"])
            throw APIError(status: .internalServerError, code: "internal", message: "internal error (request \(context.id))")
        }
    }

    static func code(_ status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: return "not_found"
        case .contentTooLarge: return "too_large"
        default: return "http_\(status.code)"
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "missing key \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return context.codingPath.map(\.stringValue).joined(separator: ".") + ": " + context.debugDescription
        @unknown default: return "\(error)"
        }
    }
}

/// JSON answers: sorted keys, money as decimal strings (the encoders never see a floating-point amount).
enum JSONBody {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func text(_ text: String, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
