import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
import VeredictoCore
#endif

/// A client of any OpenAI-compatible chat-completions endpoint: OpenAI, vLLM, Ollama
/// (`http://localhost:11434/v1`), llama.cpp's server.
///
/// Each call POSTs `{base}/chat/completions` with a system message and the request's prompt and
/// returns `choices[0].message.content`. At most `maxConcurrency` requests are in flight; others
/// wait for a slot. A request that takes longer than `timeout` fails as overload. HTTP and
/// transport failures are classified by `LLMError`. The API key is sent as a bearer token and
/// shown nowhere else.
public final class OpenAICompatibleLLM: LLMBackend {
    public static let defaultSystemPrompt =
        "You are a helpful assistant answering questions from Yahoo! Answers. Answer in plain text, concisely."

    public let baseURL: URL
    public let model: String
    public let temperature: Double
    public let maxTokens: Int?
    public let systemPrompt: String
    public let timeout: Duration
    private let apiKey: APIKey
    private let endpoint: URL
    private let session: URLSession
    private let limiter: ConcurrencyLimiter

    public init(baseURL: URL, model: String, apiKey: APIKey = APIKey(""), temperature: Double = 0.7,
                maxTokens: Int? = nil, systemPrompt: String = defaultSystemPrompt, timeout: Duration = .seconds(30),
                maxConcurrency: Int = 64) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.systemPrompt = systemPrompt
        self.timeout = timeout
        endpoint = baseURL.appendingPathComponent("chat").appendingPathComponent("completions")
        limiter = ConcurrencyLimiter(limit: maxConcurrency)
        // The timeout is enforced by `send(_:)`. URLSession's own timeouts are only a backstop, a
        // second later and in whole seconds: Linux's URLSession truncates them to whole seconds,
        // so a sub-second one would fire at once.
        let seconds = timeout.inSeconds
            .rounded(.up) + 1
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = seconds
        configuration.timeoutIntervalForResource = seconds
        configuration.httpMaximumConnectionsPerHost = maxConcurrency
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        session = URLSession(configuration: configuration)
    }

    /// The client set up by `configuration` (its OpenAI fields, concurrency and timeout).
    public convenience init(configuration: LLMConfiguration) {
        self.init(baseURL: configuration.baseURL, model: configuration.model, apiKey: configuration.apiKey,
                  temperature: configuration.temperature, maxTokens: configuration.maxTokens,
                  systemPrompt: configuration.systemPrompt, timeout: configuration.timeout,
                  maxConcurrency: configuration.maxConcurrency)
    }

    deinit {
        session.invalidateAndCancel()
    }

    public func describe() -> String {
        "OpenAI-compatible server \(SecretScrubber.scrubbing(baseURL.absoluteString)), model \(model), key \(apiKey), temperature "
            + "\(temperature), max tokens \(maxTokens.map(String.init) ?? "default"), timeout \(timeout), "
            + "concurrency \(limiter.limit)"
    }

    /// Errors come out scrubbed of the API key and of anything that looks like a credential
    /// (a server may echo the key in a 401 body): their detail goes to `llm_errors` and logs.
    public func complete(_ request: LLMCompletionRequest) async throws -> LLMCompletion {
        do {
            return try await completeUnscrubbed(request)
        } catch let error as LLMError {
            throw error.scrubbed(secrets: [apiKey.secret])
        }
    }

    private func completeUnscrubbed(_ request: LLMCompletionRequest) async throws -> LLMCompletion {
        let start = ContinuousClock.now
        let urlRequest = try makeRequest(prompt: request.prompt)
        try await limiter.acquire()
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await send(urlRequest)
            await limiter.release()
        } catch let error as LLMError {
            await limiter.release()
            throw error
        } catch {
            await limiter.release()
            if error is CancellationError || (error as? URLError)?.code == .cancelled {
                throw CancellationError()
            }
            throw LLMError(transportError: error)
        }
        guard let http = response as? HTTPURLResponse else {
            throw LLMError.invalidResponse("not an HTTP response")
        }
        let text = try Self.answer(status: http.statusCode, data: data,
                                   retryAfter: http.value(forHTTPHeaderField: "Retry-After"),
                                   retryAfterMilliseconds: http.value(forHTTPHeaderField: "retry-after-ms"),
                                   secrets: [apiKey.secret])
        return LLMCompletion(text: text, latency: ContinuousClock.now - start, model: model, usage: Self.usage(data),
                             prompt: systemPrompt + "\n" + request.prompt)
    }

    /// The response to `request`, or `LLMError.overload("timed out")` when `timeout` passes first
    /// (the transfer is then cancelled).
    private func send(_ request: URLRequest) async throws -> (Data, URLResponse) {
        try await withThrowingTaskGroup(of: (Data, URLResponse)?.self) { group in
            group.addTask { try await self.session.data(for: request) }
            group.addTask {
                try await Task.sleep(for: self.timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw LLMError.overload("timed out")
            }
            return result
        }
    }

    /// The POST request for `prompt`.
    func makeRequest(prompt: String) throws -> URLRequest {
        let body = OpenAIChatWire.Request(
            model: model,
            messages: [.init(role: "system", content: systemPrompt), .init(role: "user", content: prompt)],
            temperature: temperature, maxTokens: maxTokens)
        var request = URLRequest(url: endpoint)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if !apiKey.isEmpty { request.setValue("Bearer \(apiKey.secret)", forHTTPHeaderField: "Authorization") }
        do {
            request.httpBody = try JSONEncoder().encode(body)
        } catch {
            throw LLMError.client("cannot encode the request: \(error)")
        }
        return request
    }

    /// The answer text of a response, or the error it stands for.
    /// A body is scrubbed of `secrets` before it is shortened into a detail, so that no part
    /// of a key survives the cut.
    static func answer(status: Int, data: Data, retryAfter: String?, retryAfterMilliseconds: String?,
                       now: Date = Date(), secrets: [String] = []) throws -> String {
        if !(200..<300).contains(status),
           let error = LLMError(httpStatus: status, retryAfter: retryAfter, retryAfterMilliseconds: retryAfterMilliseconds,
                                body: SecretScrubber.scrubbing(errorMessage(data), secrets: secrets), now: now) {
            throw error
        }
        let decoded: OpenAIChatWire.Response
        do {
            decoded = try JSONDecoder().decode(OpenAIChatWire.Response.self, from: data)
        } catch {
            let body = SecretScrubber.scrubbing(String(decoding: data, as: UTF8.self), secrets: secrets)
            throw LLMError.invalidResponse("malformed JSON: \(LLMError.excerpt(body))")
        }
        guard let choice = decoded.choices?.first else { throw LLMError.invalidResponse("no choice in the response") }
        guard let content = choice.message?.content, !content.trimmingBlanks().isEmpty else {
            throw LLMError.invalidResponse("empty answer (finish reason \(choice.finishReason ?? "none"))")
        }
        return content
    }

    /// The tokens a successful response reports in `usage`, or nil when it reports none.
    static func usage(_ data: Data) -> LLMUsage? {
        guard let usage = (try? JSONDecoder().decode(OpenAIChatWire.Response.self, from: data))?.usage,
              let prompt = usage.promptTokens, let completion = usage.completionTokens
        else { return nil }
        return LLMUsage(promptTokens: prompt, completionTokens: completion, estimated: false)
    }

    /// The `error.message` of an error body, else the body itself.
    private static func errorMessage(_ data: Data) -> String {
        if let body = try? JSONDecoder().decode(OpenAIChatWire.ErrorBody.self, from: data),
           let message = body.error?.message {
            return message
        }
        return String(decoding: data, as: UTF8.self)
    }
}
