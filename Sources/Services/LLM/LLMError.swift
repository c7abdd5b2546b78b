import VeredictoCore
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// How a call to a language model failed. The class decides what happens next:
/// - `overload`: the server is busy or unreachable (HTTP 5xx, 529, 408, timeouts, connection
///   reset or refused). Retried in place with exponential backoff and full jitter.
/// - `quota`: rate limited (HTTP 429). Retried in place after `Retry-After` (or the policy's
///   quota window).
/// - `invalidResponse`: the server answered something unusable (malformed JSON, no choice, no
///   content). Not retried in place.
/// - `client`: the request was refused (other 4xx: bad key, unknown model, bad request). Not
///   retried: sending it again would fail again.
///
/// When in-place retries are spent the caller reports the error on `llm_errors`; `errorType` is
/// the `error_type` field of that message.
public enum LLMError: Error, Equatable, Sendable, CustomStringConvertible {
    case overload(_ detail: String = "server overloaded")
    case quota(retryAfter: Duration?, detail: String = "rate limited")
    case invalidResponse(_ detail: String)
    case client(_ detail: String)

    /// The class of the failure; its raw value is the `error_type` of the `llm_errors` message.
    public var kind: LLMErrorKind {
        switch self {
        case .overload: .overload
        case .quota: .quota
        case .invalidResponse: .invalidResponse
        case .client: .client
        }
    }

    /// The `error_type` of the `llm_errors` message: overload, quota, invalid_response, client.
    public var errorType: String { kind.rawValue }

    /// What happened, for the `error_detail` field and logs.
    public var detail: String {
        switch self {
        case .overload(let detail), .quota(_, let detail), .invalidResponse(let detail), .client(let detail):
            detail
        }
    }

    public var description: String {
        if case .quota(let retryAfter?, _) = self {
            return "\(errorType): \(detail) (retry after \(retryAfter))"
        }
        return "\(errorType): \(detail)"
    }

    // MARK: - Classification (the one place where HTTP and transport failures are mapped)

    /// The error for an HTTP response status, or `nil` for a success (2xx).
    ///
    /// - Parameters:
    ///   - retryAfter: the `Retry-After` header, if any (seconds or an HTTP-date).
    ///   - retryAfterMilliseconds: the `retry-after-ms` header some OpenAI-compatible servers send.
    ///   - body: the response body, quoted (shortened) in the detail.
    ///   - now: the time a `Retry-After` date is measured from.
    public init?(httpStatus status: Int, retryAfter: String? = nil, retryAfterMilliseconds: String? = nil,
                 body: String = "", now: Date = Date()) {
        let detail = body.isEmpty ? "HTTP \(status)" : "HTTP \(status): \(Self.excerpt(body))"
        switch status {
        case 200..<300:
            return nil
        case 429:
            let wait = retryAfterMilliseconds.flatMap(RetryAfter.delay(milliseconds:))
                ?? retryAfter.flatMap { RetryAfter.delay($0, now: now) }
            self = .quota(retryAfter: wait, detail: detail)
        case 408, 500..<600:
            self = .overload(detail)
        case 400..<500:
            self = .client(detail)
        default:
            self = .invalidResponse("unexpected \(detail)")
        }
    }

    /// The error for a failure to reach the server or to get its whole answer. Timeouts and lost,
    /// refused or unreachable connections are overload; a URL the client cannot use is a client
    /// error; anything else is an invalid response.
    public init(transportError error: any Error) {
        guard let urlError = error as? URLError else {
            self = .overload("transport: \(error)")
            return
        }
        switch urlError.code {
        case .timedOut:
            self = .overload("timed out")
        case .networkConnectionLost, .cannotConnectToHost, .notConnectedToInternet, .cannotFindHost,
             .dnsLookupFailed, .secureConnectionFailed, .resourceUnavailable:
            self = .overload("connection: \(urlError.localizedDescription) (\(urlError.code.rawValue))")
        case .badURL, .unsupportedURL, .userAuthenticationRequired, .userCancelledAuthentication:
            self = .client("request: \(urlError.localizedDescription) (\(urlError.code.rawValue))")
        case .badServerResponse, .cannotParseResponse, .cannotDecodeRawData, .cannotDecodeContentData,
             .zeroByteResource, .dataLengthExceedsMaximum:
            self = .invalidResponse("response: \(urlError.localizedDescription) (\(urlError.code.rawValue))")
        default:
            self = .overload("transport: \(urlError.localizedDescription) (\(urlError.code.rawValue))")
        }
    }

    /// At most 300 characters of `text` on one line.
    static func excerpt(_ text: String) -> String {
        let line = text.trimmingBlanks().map { $0.isNewline ? " " : $0 }
        return line.count <= 300 ? String(line) : String(line.prefix(300)) + "..."
    }
}
