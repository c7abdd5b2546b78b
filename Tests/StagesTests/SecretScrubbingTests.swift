import Foundation
import Testing

@testable import LLM
@testable import Stages
@testable import Transport
@testable import VeredictoCore

/// An endpoint that echoes the credentials it was sent must not get them into `llm_errors`.
@Suite struct SecretScrubbingTests {
    static let key = "sk-proj-Zq81xWv3TnUe5KcR0pYd7LmA2sHb9GfJ"

    /// Every answer quotes the Authorization header it received, as some proxies do.
    static func startEchoingServer() throws -> LocalHTTPServer {
        try LocalHTTPServer { request in
            let authorization = request.headers["authorization"] ?? "none"
            let scenario = request.path.split(separator: "/").first.map(String.init) ?? ""
            switch scenario {
            case "unauthorized":
                return .init(status: 401, body: """
                    {"error":{"message":"Incorrect API key provided: \(key). You sent '\(authorization)'; \
                    retry with password=hunter2 or https://admin:s3cret@proxy.local/v1"}}
                    """)
            case "long":
                // The key straddles the cut of a shortened detail.
                return .init(status: 503, body: String(repeating: "busy ", count: 59) + "key " + key + " end")
            case "malformed":
                return .init(status: 200, body: "{\"choices\": [ \(authorization)")
            default:
                return .init(status: 404)
            }
        }
    }

    static func errorDetail(_ server: LocalHTTPServer, _ scenario: String) async throws -> String {
        let backend = OpenAICompatibleLLM(baseURL: server.url("/\(scenario)/v1"), model: "tiny", apiKey: APIKey(key),
                                          temperature: 0.2, maxTokens: 64, timeout: .seconds(10), maxConcurrency: 1)
        let stage = LLMStage(topics: PipelineTopics(), backend: backend,
                             retry: RetryPolicy(maxRetries: 0, backoffBase: .milliseconds(1), backoffCap: .milliseconds(2)),
                             concurrency: 1)
        let request = LLMRequest(traceID: "t1", questionID: "q1", title: "T", content: "C", prompt: "P", bestAnswer: "B",
                                 attempts: 1, createdAt: .now())
        let outbound = try await stage.answer(request)
        #expect(outbound.topic == "llm_errors")
        return try ErrorMessage.decode(outbound.value).errorDetail
    }

    /// No piece of the key (8 characters or more), no bearer token and no password.
    static func expectClean(_ detail: String, _ scenario: String) {
        for start in stride(from: 0, to: key.count - 8, by: 1) {
            let piece = String(key.dropFirst(start).prefix(8))
            #expect(!detail.contains(piece), "\(scenario): \(detail)")
        }
        for secret in ["hunter2", "s3cret", "Bearer sk"] {
            #expect(!detail.contains(secret), "\(scenario): \(detail)")
        }
        #expect(detail.count <= SecretScrubber.maximumLength + 3)
    }

    @Test func errorDetailsCarryNoKeyTokenOrPassword() async throws {
        let server = try Self.startEchoingServer()
        defer { server.stop() }
        let unauthorized = try await Self.errorDetail(server, "unauthorized")
        Self.expectClean(unauthorized, "unauthorized")
        #expect(unauthorized.hasPrefix("HTTP 401: Incorrect API key provided: <redacted>"))
        Self.expectClean(try await Self.errorDetail(server, "long"), "long")
        Self.expectClean(try await Self.errorDetail(server, "malformed"), "malformed")
    }

    @Test func theScrubberRemovesCredentialsOfEveryShape() {
        let text = #"Authorization: Bearer abc.def-ghi, {"api_key":"k-123456","password":"p@ss"}, token=xyz&x=1, "#
            + "postgres://bob:pw@db:5432/x, sk-live_ABCDEFGHIJ, the key k-987654321"
        let scrubbed = SecretScrubber.scrub(text, secrets: ["k-987654321"])
        for secret in ["abc.def-ghi", "k-123456", "p@ss", "xyz", "bob:pw", "ABCDEFGHIJ", "k-987654321"] {
            #expect(!scrubbed.contains(secret), "\(secret) in \(scrubbed)")
        }
        #expect(scrubbed.contains("x=1") && scrubbed.contains("db:5432"))
        #expect(SecretScrubber.scrub(String(repeating: "a", count: 10_000)).count == SecretScrubber.maximumLength + 3)
    }
}
