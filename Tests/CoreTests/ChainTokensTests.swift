import Testing

@testable import VeredictoCore

/// The tokens of a chain's LLM calls on its messages: optional fields that round-trip, read as 0
/// when absent, are checked against their domain, and are carried from message to message.
@Suite struct ChainTokensTests {
    static let created = Timestamp(millisecondsSinceEpoch: 1_764_078_600_123)
    static let usage = LLMUsage(promptTokens: 1_234, completionTokens: 567, estimated: true)

    static func request(usage: LLMUsage = .zero) -> LLMRequest {
        LLMRequest(traceID: "t1", questionID: "q1", title: "title", content: "content", prompt: "prompt",
                   bestAnswer: "best", attempts: 2, createdAt: created, firstScore: 0.4, retries: 1, usage: usage)
    }

    /// One message of each type of the chain, carrying `usage`.
    static func chain(_ usage: LLMUsage) -> [any PipelineMessage] {
        let request = request(usage: usage)
        let response = LLMResponse(answering: Self.request(), llmAnswer: "answer", latencyMs: 12.5, usage: usage)
        return [request, response,
                RegenerationRequest(after: response, score: 0.3, firstScore: 0.4),
                ErrorMessage(failing: request, kind: .overload, detail: "HTTP 503", retryAt: created.advanced(byMilliseconds: 500)),
                ValidatedResponse(response.context, llmAnswer: "answer", score: 0.7, status: .accepted, source: .score,
                                  attempts: 2, llmCalls: 2)]
    }

    static func roundTrip<Message: PipelineMessage>(_ message: Message) throws -> Message {
        try Message.decode(message.jsonBytes)
    }

    static func usage(of message: any PipelineMessage) -> LLMUsage? {
        switch message {
        case let m as LLMRequest: m.usage
        case let m as LLMResponse: m.usage
        case let m as RegenerationRequest: m.usage
        case let m as ErrorMessage: m.usage
        case let m as ValidatedResponse: m.usage
        default: nil
        }
    }

    static func decoded(_ message: any PipelineMessage, _ bytes: [UInt8]) throws -> any PipelineMessage {
        switch message {
        case is LLMRequest: try LLMRequest.decode(bytes)
        case is LLMResponse: try LLMResponse.decode(bytes)
        case is RegenerationRequest: try RegenerationRequest.decode(bytes)
        case is ErrorMessage: try ErrorMessage.decode(bytes)
        default: try ValidatedResponse.decode(bytes)
        }
    }

    /// The message's JSON with `transform` applied to its text.
    static func edited(_ message: any PipelineMessage, _ transform: (String) -> String) -> [UInt8] {
        Array(transform(String(decoding: message.jsonBytes, as: UTF8.self)).utf8)
    }

    @Test func everyMessageOfTheChainRoundTripsItsTokens() throws {
        for message in Self.chain(Self.usage) {
            let text = String(decoding: message.jsonBytes, as: UTF8.self)
            #expect(text.contains("\"prompt_tokens\":1234,\"completion_tokens\":567,\"tokens_estimated\":true"), "\(text)")
            #expect(Self.usage(of: try Self.decoded(message, message.jsonBytes)) == Self.usage, "\(type(of: message))")
        }
        let large = LLMUsage(promptTokens: MessageDomain.tokens.upperBound, completionTokens: 0, estimated: false)
        for message in Self.chain(large) {
            #expect(Self.usage(of: try Self.decoded(message, message.jsonBytes)) == large, "\(type(of: message))")
        }
    }

    @Test func aMessageWithoutTheFieldsReadsNoTokens() throws {
        for message in Self.chain(Self.usage) {
            let without = Self.edited(message) {
                $0.replacing(",\"prompt_tokens\":1234,\"completion_tokens\":567,\"tokens_estimated\":true", with: "")
            }
            #expect(!String(decoding: without, as: UTF8.self).contains("tokens"))
            #expect(Self.usage(of: try Self.decoded(message, without)) == .zero, "\(type(of: message))")
            let null = Self.edited(message) {
                $0.replacing("\"prompt_tokens\":1234,\"completion_tokens\":567,\"tokens_estimated\":true",
                             with: "\"prompt_tokens\":null,\"completion_tokens\":null,\"tokens_estimated\":null")
            }
            #expect(Self.usage(of: try Self.decoded(message, null)) == .zero, "\(type(of: message))")
        }
    }

    @Test func tokensOutsideTheirDomainAreRejected() throws {
        let bad: [(String, String)] = [
            ("\"prompt_tokens\":-1", "field \"prompt_tokens\" must be an integer from 0 to 1000000000000, not -1"),
            ("\"completion_tokens\":1000000000001",
             "field \"completion_tokens\" must be an integer from 0 to 1000000000000, not 1000000000001"),
            ("\"prompt_tokens\":1.5", "field \"prompt_tokens\" must be an integer"),
            ("\"tokens_estimated\":1", "field \"tokens_estimated\" must be true or false"),
        ]
        for message in Self.chain(Self.usage) {
            for (field, reason) in bad {
                let name = field.prefix { $0 != ":" }
                let bytes = Self.edited(message) { text in
                    let start = text.range(of: name + ":")!
                    let end = text[start.upperBound...].firstIndex { $0 == "," || $0 == "}" }!
                    return text.replacingCharacters(in: start.lowerBound..<end, with: field)
                }
                #expect(throws: MessageDecodingError.self, "\(type(of: message)) \(field)") {
                    _ = try Self.decoded(message, bytes)
                }
                do { _ = try Self.decoded(message, bytes) } catch { #expect("\(error)" == reason) }
            }
        }
    }

    @Test func theChainCarriesItsTokensToItsDecision() throws {
        let first = LLMUsage(promptTokens: 30, completionTokens: 20, estimated: false)
        let second = LLMUsage(promptTokens: 31, completionTokens: 25, estimated: true)
        // Attempt 1 answered, scored too low, regenerated; attempt 2 failed once, was re-issued
        // and answered: the decision carries both answers' tokens, the failed call none.
        let answer1 = LLMResponse(answering: Self.request(), llmAnswer: "a1", latencyMs: 1, usage: first)
        let regeneration = try Self.roundTrip(RegenerationRequest(after: answer1, score: 0.2, firstScore: 0.2))
        let request2 = try Self.roundTrip(regeneration.nextAttempt)
        #expect(request2.usage == first)
        let error = try Self.roundTrip(ErrorMessage(failing: request2, kind: .overload, detail: "HTTP 503",
                                                    retryAt: Self.created))
        #expect(error.usage == first)
        let reissued = try Self.roundTrip(error.retry)
        let answer2 = try Self.roundTrip(LLMResponse(answering: reissued, llmAnswer: "a2", latencyMs: 1, usage: second))
        #expect(answer2.usage == LLMUsage(promptTokens: 61, completionTokens: 45, estimated: true))
        let decision = try Self.roundTrip(ValidatedResponse(answer2.context, llmAnswer: "a2", score: 0.8, status: .accepted,
                                                            source: .score, attempts: 2, llmCalls: 2))
        #expect(decision.usage == answer2.usage)
        // A chain that ends failed keeps what its answered calls cost.
        #expect(try Self.roundTrip(error.failure).usage == first)
        // A chain's sum stays within the domain, so the next message is always readable.
        let huge = LLMUsage(promptTokens: MessageDomain.tokens.upperBound, completionTokens: 1, estimated: false)
        let capped = LLMResponse(answering: Self.request(usage: huge), llmAnswer: "a", latencyMs: 1, usage: huge)
        #expect(try Self.roundTrip(capped).usage.promptTokens == MessageDomain.tokens.upperBound)
    }
}
