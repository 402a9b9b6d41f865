import Foundation
import HTTPTypes
import Hummingbird
import IncentiveEngine
import IncentiveStore
import Logging
import NIOCore

/// Every error answer of the API: `{"error": {"code", "message", "details": [...]}}`.
///
/// An answer stays small whatever the input was: at most `maxDetails` details, each text cut to a few
/// hundred characters (a 200 MB upload with no line break once made a 200 MB answer).
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
    /// Extra header fields of the answer (`Allow` of a 405).
    var headers: HTTPFields = [:]

    /// The most details an answer lists; the message says how many more there were.
    static let maxDetails = 100
    /// The most characters of a message, and of a detail's value, file or column.
    static let maxMessage = 1000
    static let maxValue = 200

    static func notFound(_ message: String) -> APIError { APIError(status: .notFound, code: "not_found", message: message) }
    static func badRequest(_ message: String) -> APIError { APIError(status: .badRequest, code: "bad_request", message: message) }
    static let unauthorized = APIError(status: .unauthorized, code: "unauthorized", message: "sign in: a bearer token or a session is needed")
    static let forbidden = APIError(status: .forbidden, code: "forbidden", message: "this needs an admin account")

    /// Input that failed validation: every problem with file, line, column and value (at most
    /// `maxDetails` of them, the message counting the rest).
    static func invalid(_ report: DiagnosticReport, what: String) -> APIError {
        let errors = report.collector.errors
        let total = max(report.collector.errorCount, errors.count)
        let shown = errors.prefix(maxDetails)
        var message = "\(total) problem(s) found; \(what)"
        if total > shown.count { message += "; the first \(shown.count) are listed, \(total - shown.count) more not shown" }
        return APIError(
            status: .unprocessableContent, code: "invalid_input", message: message,
            details: shown.map {
                Detail(
                    file: cut($0.file, to: maxValue), line: $0.line, column: $0.column.map { cut($0, to: maxValue) },
                    value: $0.value.map { cut($0, to: maxValue) }, message: cut($0.message, to: maxMessage))
            })
    }

    /// `text` with at most `limit` characters: a longer text is cut and says how much was left out
    /// (the engine's rule for values in messages, `Diagnostic.cut`).
    static func cut(_ text: String, to limit: Int) -> String { Diagnostic.cut(text, limit: limit) }

    struct Body: Encodable {
        struct Inner: Encodable {
            var code: String
            var message: String
            var details: [Detail]
        }
        var error: Inner
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONBody.response(
            Body(error: .init(code: code, message: Self.cut(message, to: Self.maxMessage), details: Array(details.prefix(Self.maxDetails)))),
            status: status)
        for field in headers { response.headers.append(field) }
        return response
    }
}

extension APIError {
    /// A refusal of the workspace, mapped once for every route: not found 404, conflict 409, rejected
    /// input 422, a workspace that cannot serve (busy, too new, not a workspace) 503; nil for what the
    /// workspace cannot read or write (an internal error, whose message is not for the client).
    init?(_ error: WorkspaceError) {
        let answer: (status: HTTPResponse.Status, code: String)
        switch error.code {
        case .notFound: answer = (.notFound, "not_found")
        case .conflict: answer = (.conflict, "conflict")
        case .rejected: answer = (.unprocessableContent, "rejected")
        case .busy, .newerSchema, .notAWorkspace: answer = (.serviceUnavailable, "unavailable")
        case .damaged, .failed: return nil
        }
        self.init(status: answer.status, code: answer.code, message: Self.wording(error))
    }

    /// The workspace's message, with the API's words for a remedy where the error gives the detail for one.
    static func wording(_ error: WorkspaceError) -> String {
        switch error.detail {
        case .noRunsYet(let run): "no run \(run) in the workspace (it has no runs yet; make one with POST \(API.prefix)/runs)"
        default: error.message
        }
    }
}

/// Turns workspace errors and Hummingbird's own errors into the API's error shape: the one place where
/// a `WorkspaceError`'s code becomes an HTTP status.
struct ErrorMiddleware: RouterMiddleware {
    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as WorkspaceError {
            if let answer = APIError(error) { throw answer }
            throw internalError(error, context)
        } catch let error as HTTPError {
            throw APIError(status: error.status, code: Self.code(error.status), message: error.body ?? error.status.reasonPhrase)
        } catch let error as any HTTPResponseError {
            throw APIError(status: error.status, code: Self.code(error.status), message: error.status.reasonPhrase)
        } catch let error as DecodingError {
            throw APIError.badRequest(Self.describe(error))
        } catch let report as DiagnosticReport {
            // The workspace's data cannot be computed (a sum beyond the engine's bound, say): the
            // problems, never a crash or a bare 500.
            throw APIError.invalid(report, what: "nothing was computed")
        } catch {
            throw internalError(error, context)
        }
    }

    /// A failure that is not the client's: logged with its cause, answered without it.
    func internalError(_ error: any Error, _ context: AppContext) -> APIError {
        context.logger.error("internal error", metadata: ["error": "\(error)"])
        return APIError(status: .internalServerError, code: "internal", message: "internal error (request \(context.id))")
    }

    static func code(_ status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: return "not_found"
        case .contentTooLarge: return "too_large"
        default: return "http_\(status.code)"
        }
    }

    /// What is wrong with a JSON body, in a user's words: `partner_id: expected a string`.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "the JSON body lacks the key \(parent.isEmpty ? key.stringValue : parent + "." + key.stringValue)"
        case .typeMismatch(let type, let context):
            let name: String
            switch type {
            case is String.Type: name = "a string"
            case is Int.Type, is Int64.Type, is Int32.Type: name = "a whole number"
            case is Bool.Type: name = "true or false"
            default: name = String(describing: type).hasPrefix("Array<") ? "a list" : "an object"
            }
            let at = path(context)
            return at.isEmpty ? "the JSON body must be \(name)" : "the JSON body's \(at) must be \(name)"
        case .valueNotFound(_, let context):
            let at = path(context)
            return at.isEmpty ? "the JSON body is empty or null" : "the JSON body's \(at) must not be null"
        case .dataCorrupted(let context):
            let at = path(context)
            return at.isEmpty ? "the body is not valid JSON" : "the JSON body's \(at) is not valid"
        @unknown default: return "the JSON body does not have the expected shape"
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
