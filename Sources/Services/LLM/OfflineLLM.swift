import VeredictoCore
/// A deterministic stand-in for a language model, for experiments without a model server.
///
/// Everything it does is a function of (question id, attempt, seed), and of the in-place retry for
/// errors and latency:
/// - Each attempt draws a quality `q` from `QualityDistribution` and writes an answer that keeps
///   more of the reference answer's words, and less generic filler, the higher `q` is
///   (`OfflineAnswerWriter`: the mean TF-IDF score is about `0.1 + 0.75 q`). A regeneration (the
///   next attempt) draws a new `q`, so it can score better, as a sampled model would.
/// - Each call draws a latency from `latency`, and fails with an overload error with probability
///   `overloadRate` or a quota error (with `quotaRetryAfter`) with probability `quotaRate`.
///
/// Draws use independent SplitMix64 streams seeded from a stable hash of the question id, the
/// attempt, the retry (the in-place try and the re-issue from `llm_errors`) and the seed, so results do not depend on call order, process or machine.
public struct OfflineLLM: LLMBackend {
    public let seed: UInt64
    public let quality: QualityDistribution
    public let latency: LatencyModel
    public let overloadRate: Double
    public let quotaRate: Double
    public let quotaRetryAfter: Duration?
    private let sleep: @Sendable (Duration) async throws -> Void

    public init(seed: UInt64 = 42, quality: QualityDistribution = QualityDistribution(mean: 0.5),
                latency: LatencyModel = .none, overloadRate: Double = 0, quotaRate: Double = 0,
                quotaRetryAfter: Duration? = .seconds(1),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await PipelineTime.sleep(for: $0) }) {
        precondition((0...1).contains(overloadRate) && (0...1).contains(quotaRate) && overloadRate + quotaRate <= 1,
                     "error rates must be in [0, 1] and add up to at most 1")
        self.seed = seed
        self.quality = quality
        self.latency = latency
        self.overloadRate = overloadRate
        self.quotaRate = quotaRate
        self.quotaRetryAfter = quotaRetryAfter
        self.sleep = sleep
    }

    /// The offline model set up by `configuration` (its offline fields).
    public init(configuration: LLMConfiguration) {
        self.init(seed: configuration.seed, quality: QualityDistribution(mean: configuration.qualityMean),
                  latency: LatencyModel(medianMilliseconds: configuration.latencyMedianMilliseconds,
                                        sigma: configuration.latencySigma),
                  overloadRate: configuration.overloadRate, quotaRate: configuration.quotaRate,
                  quotaRetryAfter: configuration.quotaRetryAfter)
    }

    public func complete(_ request: LLMCompletionRequest) async throws -> LLMCompletion {
        let start = ContinuousClock.now
        let retry = Self.drawRetry(request)
        let delay = latency(questionID: request.questionID, attempt: request.attempt, retry: retry)
        if delay > .zero { try await sleep(delay) }
        if let error = error(questionID: request.questionID, attempt: request.attempt, retry: retry) {
            throw error
        }
        let text = answer(to: request)
        // On a simulated run's virtual clock the latency is the one drawn; live, the one measured.
        let measured = PipelineTime.virtual == nil ? ContinuousClock.now - start : delay
        // No tokenizer here: the usage is an estimate from the text (`LLMUsage.estimated`).
        return LLMCompletion(text: text, latency: measured, model: "offline", prompt: request.prompt)
    }

    public func describe() -> String {
        "offline model: seed \(seed), quality mean \(quality.mean), latency \(latency), "
            + "overload rate \(overloadRate), quota rate \(quotaRate), quota retry-after "
            + (quotaRetryAfter.map { "\($0)" } ?? "none")
    }

    /// The quality drawn for `attempt` of a question, in [0, 1].
    public func quality(questionID: String, attempt: Int) -> Double {
        var random = stream(.quality, questionID, attempt, 0)
        return quality.sample(using: &random)
    }

    /// The retry number the latency and error draws use: the in-place try, distinct for every
    /// re-issue of the attempt (a re-issue is a later call, and draws afresh as a real model's
    /// outcome would); unchanged for the first issue.
    static func drawRetry(_ request: LLMCompletionRequest) -> Int {
        request.reissue <= 0 ? request.retry : request.retry &+ request.reissue.multipliedReportingOverflow(by: 1 << 16).partialValue
    }

    /// The answer to `request`, without its latency or error draws.
    public func answer(to request: LLMCompletionRequest) -> String {
        let q = quality(questionID: request.questionID, attempt: request.attempt)
        var random = stream(.text, request.questionID, request.attempt, 0)
        return OfflineAnswerWriter().answer(reference: request.referenceAnswer, quality: q, using: &random)
    }

    /// The error drawn for one call, or `nil` when it succeeds.
    public func error(questionID: String, attempt: Int, retry: Int) -> LLMError? {
        guard overloadRate > 0 || quotaRate > 0 else { return nil }
        var random = stream(.error, questionID, attempt, retry)
        let u = random.unit()
        if u < overloadRate { return .overload("offline model: simulated overload") }
        if u < overloadRate + quotaRate {
            return .quota(retryAfter: quotaRetryAfter, detail: "offline model: simulated quota")
        }
        return nil
    }

    /// The latency drawn for one call.
    public func latency(questionID: String, attempt: Int, retry: Int) -> Duration {
        if case .none = latency { return .zero }
        var random = stream(.latency, questionID, attempt, retry)
        return latency.sample(using: &random)
    }

    // MARK: - Random streams

    private enum Stream: UInt64 {
        case quality = 1, text, error, latency
    }

    private func stream(_ kind: Stream, _ questionID: String, _ attempt: Int, _ retry: Int) -> SplitMix64 {
        var state = Self.fnv1a(questionID)
        for part in [seed, kind.rawValue, UInt64(bitPattern: Int64(attempt)), UInt64(bitPattern: Int64(retry))] {
            var mixer = SplitMix64(seed: state ^ part)
            state = mixer.next()
        }
        return SplitMix64(seed: state)
    }

    /// 64-bit FNV-1a of the UTF-8 bytes: a hash that is the same in every process (Swift's
    /// `Hasher` is seeded per process).
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
