import Foundation
import Testing

@testable import LLM

/// The OpenAI-compatible client against a local HTTP server that plays each kind of answer.
@Suite struct OpenAIClientTests {
    static let completionBody = """
        {"id":"chatcmpl-1","object":"chat.completion","model":"tiny","choices":[{"index":0,\
        "message":{"role":"assistant","content":"Water boils at 100 degrees Celsius at sea level."},\
        "finish_reason":"stop"}],"usage":{"prompt_tokens":20,"completion_tokens":11}}
        """

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    static func startServer() throws -> LocalHTTPServer {
        try LocalHTTPServer { request in
            let scenario = request.path.split(separator: "/").first.map(String.init) ?? ""
            switch scenario {
            case "ok": return .init(status: 200, body: completionBody)
            case "quota":
                return .init(status: 429, headers: [("Retry-After", "7")],
                             body: #"{"error":{"message":"Rate limit reached for requests","type":"requests"}}"#)
            case "quota-date":
                // A date already past: the wait is exactly zero whenever the test runs.
                return .init(status: 429, headers: [("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT")])
            case "busy": return .init(status: 503, body: "upstream overloaded")
            case "overloaded": return .init(status: 529, body: #"{"error":{"message":"Overloaded"}}"#)
            case "malformed": return .init(status: 200, body: #"{"choices":[{"message":{"content":"cut sh"#)
            case "empty": return .init(status: 200, body: #"{"choices":[]}"#)
            case "unauthorized":
                return .init(status: 401, body: #"{"error":{"message":"Incorrect API key provided"}}"#)
            case "hang": return nil
            default: return .init(status: 404)
            }
        }
    }

    static func client(_ server: LocalHTTPServer, _ scenario: String, timeout: Duration = .seconds(10))
        -> OpenAICompatibleLLM
    {
        OpenAICompatibleLLM(baseURL: server.url("/\(scenario)/v1"), model: "tiny", apiKey: APIKey("sk-test-key"),
                            temperature: 0.2, maxTokens: 64, timeout: timeout, maxConcurrency: 4)
    }

    static let request = LLMCompletionRequest(questionID: "q1", title: "Why does water boil?", content: "At 100?",
                                              attempt: 1, referenceAnswer: "never sent")

    @Test func parsesACompletionAndSendsAWellFormedRequest() async throws {
        let server = try Self.startServer()
        defer { server.stop() }
        let completion = try await Self.client(server, "ok").complete(Self.request)
        #expect(completion.text == "Water boils at 100 degrees Celsius at sea level.")
        #expect(completion.model == "tiny" && completion.latency > .zero)

        let sent = try #require(server.requests.first)
        #expect(sent.method == "POST" && sent.path == "/ok/v1/chat/completions")
        #expect(sent.headers["authorization"] == "Bearer sk-test-key")
        #expect(sent.headers["content-type"] == "application/json")
        let body = try #require(try JSONSerialization.jsonObject(with: sent.body) as? [String: Any])
        #expect(body["model"] as? String == "tiny")
        #expect(body["temperature"] as? Double == 0.2 && body["max_tokens"] as? Int == 64)
        #expect(body["stream"] as? Bool == false)
        let messages = try #require(body["messages"] as? [[String: String]])
        #expect(messages.map { $0["role"] } == ["system", "user"])
        #expect(messages[1]["content"] == Self.request.prompt)
        #expect(messages[1]["content"]!.contains("Why does water boil?"))
        #expect(!String(decoding: sent.body, as: UTF8.self).contains("never sent"))
    }

    @Test func sendsNoAuthorizationWithoutAKey() async throws {
        let server = try Self.startServer()
        defer { server.stop() }
        let local = OpenAICompatibleLLM(baseURL: server.url("/ok/v1"), model: "llama3.2")
        _ = try await local.complete(Self.request)
        #expect(server.requests.first?.headers["authorization"] == nil)
        #expect(!Self.client(server, "ok").describe().contains("sk-test"))
    }

    @Test func rateLimitIsQuotaWithRetryAfter() async throws {
        let server = try Self.startServer()
        defer { server.stop() }
        await #expect(throws: LLMError.quota(retryAfter: .seconds(7), detail: "HTTP 429: Rate limit reached for requests")) {
            try await Self.client(server, "quota").complete(Self.request)
        }
        // An HTTP-date travels through the client and is read as a date (a past one waits
        // nothing; a value it could not read would give no wait at all, nil)...
        await #expect(throws: LLMError.quota(retryAfter: .zero, detail: "HTTP 429")) {
            try await Self.client(server, "quota-date").complete(Self.request)
        }
        // ...and a future one is measured from the time given, not from the clock.
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(throws: LLMError.quota(retryAfter: .seconds(30), detail: "HTTP 429")) {
            try OpenAICompatibleLLM.answer(status: 429, data: Data(), retryAfter: Self.httpDate(now.addingTimeInterval(30)),
                                           retryAfterMilliseconds: nil, now: now)
        }
    }

    @Test func serverErrorsAreOverload() async throws {
        let server = try Self.startServer()
        defer { server.stop() }
        await #expect(throws: LLMError.overload("HTTP 503: upstream overloaded")) {
            try await Self.client(server, "busy").complete(Self.request)
        }
        await #expect(throws: LLMError.overload("HTTP 529: Overloaded")) {
            try await Self.client(server, "overloaded").complete(Self.request)
        }
    }

    @Test func unusableAnswersAreInvalidResponsesAndRefusalsClientErrors() async throws {
        let server = try Self.startServer()
        defer { server.stop() }
        do {
            _ = try await Self.client(server, "malformed").complete(Self.request)
            Issue.record("expected an invalid response")
        } catch LLMError.invalidResponse(let detail) {
            #expect(detail.hasPrefix("malformed JSON"))
        }
        await #expect(throws: LLMError.invalidResponse("no choice in the response")) {
            try await Self.client(server, "empty").complete(Self.request)
        }
        await #expect(throws: LLMError.client("HTTP 401: Incorrect API key provided")) {
            try await Self.client(server, "unauthorized").complete(Self.request)
        }
    }

    @Test func aTimeoutIsOverload() async throws {
        let server = try Self.startServer()
        defer { server.stop() }
        // The server holds the connection open without answering for far longer than the
        // client's timeout (`hangLimit`), so only that timeout can end the call as "timed out"
        // (a server hanging up would be another error); the request was sent once.
        await #expect(throws: LLMError.overload("timed out")) {
            try await Self.client(server, "hang", timeout: .milliseconds(500)).complete(Self.request)
        }
        #expect(server.requests.count == 1)
        #expect(server.requests.first?.path.hasPrefix("/hang/") == true)
    }

    @Test func aRefusedConnectionIsOverload() async throws {
        let server = try Self.startServer()
        let url = server.url("/ok/v1")
        server.stop()
        let client = OpenAICompatibleLLM(baseURL: url, model: "tiny", timeout: .seconds(5))
        do {
            _ = try await client.complete(Self.request)
            Issue.record("expected an overload error")
        } catch let error as LLMError {
            #expect(error.errorType == "overload", "\(error)")
        }
    }
}
