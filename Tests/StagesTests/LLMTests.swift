import Foundation
import Testing

@testable import Dataset
@testable import LLM
@testable import Scoring
@testable import VeredictoCore

@Suite struct LLMTests {
    static func request(_ id: String, attempt: Int = 1, reference: String = "Water boils at 100 degrees.",
                        retry: Int = 0) -> LLMCompletionRequest {
        LLMCompletionRequest(questionID: id, title: "Why does water boil?", content: "", attempt: attempt,
                             referenceAnswer: reference, retry: retry)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        LLMCompletion(text: "", latency: duration, model: "").latencyMilliseconds
    }

    // MARK: - Offline model

    @Test func offlineAnswersAreDeterministicPerQuestionAttemptAndSeed() async throws {
        var text = SyntheticText(seed: 3)
        let reference = text.row().bestAnswer
        let model = OfflineLLM(seed: 42)
        let twin = OfflineLLM(seed: 42)
        let first = try await model.complete(Self.request("q1", reference: reference))
        #expect(first.model == "offline")
        #expect(try await twin.complete(Self.request("q1", reference: reference)).text == first.text)
        #expect(try await model.complete(Self.request("q1", reference: reference)).text == first.text)
        #expect(try await model.complete(Self.request("q1", attempt: 2, reference: reference)).text != first.text)
        #expect(try await model.complete(Self.request("q2", reference: reference)).text != first.text)
        #expect(try await OfflineLLM(seed: 43).complete(Self.request("q1", reference: reference)).text != first.text)
        #expect(model.quality(questionID: "q1", attempt: 1) != model.quality(questionID: "q1", attempt: 2))
        // The hash of question ids is fixed across processes and machines.
        #expect(OfflineLLM.fnv1a("q1") == 0x08D2_1307_B572_D497)
        #expect(OfflineLLM.fnv1a("") == 0xCBF2_9CE4_8422_2325)
        #expect(model.describe().hasPrefix("offline model: seed 42"))
    }

    @Test func offlineScoresRiseWithTheQualityDraw() throws {
        let scorer = try TFIDFScorer()
        let model = OfflineLLM(seed: 7)
        var text = SyntheticText(seed: 11)
        var bands = [(sum: Double, count: Int)](repeating: (0, 0), count: 5)
        var qualities: [Double] = []
        for index in 0..<400 {
            let reference = text.row().bestAnswer
            for attempt in 1...3 {
                let request = Self.request("q\(index)", attempt: attempt, reference: reference)
                let quality = model.quality(questionID: request.questionID, attempt: attempt)
                qualities.append(quality)
                let score = scorer.score(answer: model.answer(to: request), reference: reference)
                let band = min(4, Int(quality * 5))
                bands[band].sum += score
                bands[band].count += 1
            }
        }
        let means = bands.map { $0.count == 0 ? .nan : $0.sum / Double($0.count) }
        for band in 1..<5 {
            #expect(means[band] > means[band - 1] + 0.08, "mean score by quality fifth: \(means)")
        }
        #expect(means[0] < 0.3 && means[4] > 0.7, "mean score by quality fifth: \(means)")
        let meanQuality = qualities.reduce(0, +) / Double(qualities.count)
        #expect(abs(meanQuality - 0.5) < 0.03)
        // The configured mean moves the draws.
        let better = OfflineLLM(seed: 7, quality: QualityDistribution(mean: 0.8))
        let betterMean = (0..<2_000).map { better.quality(questionID: "q\($0)", attempt: 1) }.reduce(0, +) / 2_000
        #expect(abs(betterMean - 0.8) < 0.02)
        #expect(OfflineLLM(quality: QualityDistribution(mean: 1)).quality(questionID: "x", attempt: 1) == 1)
    }

    @Test func offlineErrorRatesMatchTheirSettings() async throws {
        let model = OfflineLLM(seed: 5, overloadRate: 0.1, quotaRate: 0.05, quotaRetryAfter: .seconds(2))
        var overloads = 0
        var quotas = 0
        let draws = 40_000
        for index in 0..<(draws / 8) {
            for attempt in 1...2 {
                for retry in 0..<4 {
                    switch model.error(questionID: "q\(index)", attempt: attempt, retry: retry) {
                    case .overload?: overloads += 1
                    case .quota(let retryAfter, _)?:
                        quotas += 1
                        #expect(retryAfter == .seconds(2))
                    case nil: break
                    default: Issue.record("unexpected error class")
                    }
                }
            }
        }
        #expect(abs(Double(overloads) / Double(draws) - 0.10) < 0.008)
        #expect(abs(Double(quotas) / Double(draws) - 0.05) < 0.006)
        // complete() throws the drawn error, and the same call always draws the same.
        let failing = (0..<200).first { model.error(questionID: "q\($0)", attempt: 1, retry: 0) != nil }!
        let expected = model.error(questionID: "q\(failing)", attempt: 1, retry: 0)!
        await #expect(throws: expected) { try await model.complete(Self.request("q\(failing)")) }
        #expect(OfflineLLM().error(questionID: "q1", attempt: 1, retry: 0) == nil)
    }

    @Test func offlineLatencyFollowsItsModel() async throws {
        let fixed = OfflineLLM(latency: LatencyModel(medianMilliseconds: 20, sigma: 0))
        #expect(fixed.latency(questionID: "q", attempt: 1, retry: 0) == .milliseconds(20))
        let completion = try await fixed.complete(Self.request("q"))
        #expect(Self.milliseconds(completion.latency) >= 19)
        let spread = OfflineLLM(latency: LatencyModel(medianMilliseconds: 50, sigma: 0.8))
        var samples = (0..<4_001).map { Self.milliseconds(spread.latency(questionID: "q\($0)", attempt: 1, retry: 0)) }
        samples.sort()
        #expect(abs(samples[2_000] - 50) < 4, "median \(samples[2_000])")
        #expect(samples[3_960] > 150)  // a long right tail: p99 near 50 * e^(0.8 * 2.33) = 321
        #expect(LatencyModel(medianMilliseconds: 0, sigma: 1) == .none)
        // The delay is spent through the injected sleeper.
        let recorder = SleepRecorder()
        let recorded = OfflineLLM(latency: .fixed(.seconds(5)), sleep: { await recorder.record($0) })
        _ = try await recorded.complete(Self.request("q"))
        #expect(await recorder.delays == [.seconds(5)])
    }

    // MARK: - Retry policy

    @Test func backoffIsExponentialWithFullJitterAndCapped() {
        let policy = RetryPolicy(maxRetries: 10, backoffBase: .milliseconds(100), backoffCap: .seconds(1))
        let half = (1...7).map { Self.milliseconds(policy.backoff(retry: $0, random: 0.5)) }
        let expected: [Double] = [50, 100, 200, 400, 500, 500, 500]
        for (value, want) in zip(half, expected) { #expect(abs(value - want) < 0.001, "\(half)") }
        #expect(policy.backoff(retry: 3, random: 0) == .zero)
        #expect(policy.backoffCeiling(retry: 1) == .milliseconds(100))
        #expect(policy.backoffCeiling(retry: 4) == .milliseconds(800))
        #expect(policy.backoffCeiling(retry: 5) == .seconds(1))
        #expect(policy.backoffCeiling(retry: 500) == .seconds(1))
        var random = SplitMix64(seed: 9)
        for retry in 1...40 {
            let delay = policy.backoff(retry: retry, random: random.unit())
            #expect(delay >= .zero && delay <= policy.backoffCeiling(retry: retry))
        }
    }

    @Test func retryAfterParsesSecondsAndHTTPDates() {
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryAfter.delay("120", now: now) == .seconds(120))
        #expect(RetryAfter.delay(" 0 ", now: now) == .zero)
        #expect(RetryAfter.delay("1.5", now: now) == .milliseconds(1500))
        #expect(RetryAfter.delay("-3", now: now) == nil)
        #expect(RetryAfter.delay("soon", now: now) == nil)
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:50:37 GMT", now: now) == .seconds(60))
        #expect(RetryAfter.delay("Sunday, 06-Nov-94 08:49:47 GMT", now: now) == .seconds(10))
        #expect(RetryAfter.delay("Sun Nov  6 08:49:38 1994", now: now) == .seconds(1))
        #expect(RetryAfter.delay("Sat, 05 Nov 1994 08:49:37 GMT", now: now) == .zero)  // past: no wait
        #expect(RetryAfter.delay("Wed, 01 Mar 2028 00:00:00 GMT", now: Date(timeIntervalSince1970: 1_835_395_200))
            == .seconds(86_400))  // 2028-02-29, a leap day, the day before
        #expect(RetryAfter.delay("Sun, 32 Nov 1994 08:49:37 GMT", now: now) == nil)
        #expect(RetryAfter.delay("Sun, 06 Foo 1994 08:49:37 GMT", now: now) == nil)
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:49 GMT", now: now) == nil)
        #expect(RetryAfter.delay(milliseconds: "250") == .milliseconds(250))
    }

    @Test func httpStatusesAreClassified() {
        #expect(LLMError(httpStatus: 200) == nil)
        #expect(LLMError(httpStatus: 429, retryAfter: "7") == .quota(retryAfter: .seconds(7), detail: "HTTP 429"))
        #expect(LLMError(httpStatus: 429, retryAfter: "7", retryAfterMilliseconds: "1500")
            == .quota(retryAfter: .milliseconds(1500), detail: "HTTP 429"))
        #expect(LLMError(httpStatus: 429) == .quota(retryAfter: nil, detail: "HTTP 429"))
        for status in [500, 502, 503, 504, 529, 408] {
            #expect(LLMError(httpStatus: status)?.errorType == "overload")
        }
        for status in [400, 401, 403, 404, 422] {
            #expect(LLMError(httpStatus: status)?.errorType == "client")
        }
        #expect(LLMError(httpStatus: 302)?.errorType == "invalid_response")
        #expect(LLMError(transportError: URLError(.timedOut)) == .overload("timed out"))
        #expect(LLMError(transportError: URLError(.networkConnectionLost)).errorType == "overload")
        #expect(LLMError(transportError: URLError(.badURL)).errorType == "client")
    }

    @Test func retriesOverloadWithBackoffThenGivesUpWithTheLastError() async throws {
        let policy = RetryPolicy(maxRetries: 3, backoffBase: .milliseconds(100), backoffCap: .seconds(10))
        var slept: [Duration] = []
        var calls = 0
        let result = try await withRetries(policy, sleep: { slept.append($0) }, random: { 0.5 }) { retry in
            calls += 1
            if retry < 2 { throw LLMError.overload("busy \(retry)") }
            return "answer after \(retry) retries"
        }
        #expect(result == "answer after 2 retries" && calls == 3)
        #expect(slept == [.milliseconds(50), .milliseconds(100)])

        slept = []
        calls = 0
        var retried: [Int] = []
        await #expect(throws: LLMError.overload("busy 3")) {
            try await withRetries(policy, sleep: { slept.append($0) }, random: { 0.5 },
                                  onRetry: { _, retry, _ in retried.append(retry) }) { retry -> String in
                calls += 1
                throw LLMError.overload("busy \(retry)")
            }
        }
        #expect(calls == 4 && retried == [1, 2, 3] && slept.count == 3)
    }

    @Test func quotaWaitsRetryAfterAndClientErrorsAreNotRetried() async throws {
        let policy = RetryPolicy(maxRetries: 3, quotaWindow: .seconds(60), maxQuotaWait: .seconds(90))
        var slept: [Duration] = []
        var calls = 0
        _ = try await withRetries(policy, sleep: { slept.append($0) }, random: { 0.99 }) { retry in
            calls += 1
            if retry == 0 { throw LLMError.quota(retryAfter: .seconds(7)) }
            if retry == 1 { throw LLMError.quota(retryAfter: nil) }
            return 1
        }
        #expect(slept == [.seconds(7), .seconds(60)] && calls == 3)  // Retry-After, then the quota window

        for error in [LLMError.client("HTTP 401: bad key"), .invalidResponse("malformed JSON"),
                      .quota(retryAfter: .seconds(3_600))] {  // beyond maxQuotaWait: left to llm_errors
            slept = []
            calls = 0
            await #expect(throws: error) {
                try await withRetries(policy, sleep: { slept.append($0) }) { _ -> Int in
                    calls += 1
                    throw error
                }
            }
            #expect(calls == 1 && slept.isEmpty)
        }

        calls = 0
        await #expect(throws: CancellationError.self) {
            try await withRetries(policy, sleep: { slept.append($0) }) { _ -> Int in
                calls += 1
                throw CancellationError()
            }
        }
        #expect(calls == 1)
        calls = 0
        await #expect(throws: LLMError.overload()) {
            try await withRetries(.none, sleep: { slept.append($0) }) { _ -> Int in
                calls += 1
                throw LLMError.overload()
            }
        }
        #expect(calls == 1)
    }

    @Test func retriesRecoverMostOfflineErrors() async throws {
        let model = OfflineLLM(seed: 1, overloadRate: 0.3, quotaRate: 0.1, quotaRetryAfter: .seconds(1))
        let policy = RetryPolicy(maxRetries: 3)
        var failures = 0
        for index in 0..<300 {
            let request = Self.request("q\(index)")
            do {
                _ = try await withRetries(policy, sleep: { _ in }, random: { 0.5 }) { retry in
                    try await model.complete(request.retrying(retry))
                }
            } catch {
                failures += 1
            }
        }
        // Four independent tries each failing with probability 0.4: 0.4^4 = 2.6% fail.
        #expect(failures > 0 && failures < 20)
    }

    // MARK: - Configuration

    @Test func configurationReadsTheEnvironment() throws {
        let defaults = try LLMConfiguration(environment: [:])
        #expect(defaults == LLMConfiguration())
        #expect(defaults.backend == .offline && defaults.seed == 42 && defaults.qualityMean == 0.5)
        #expect(defaults.maxConcurrency == 64 && defaults.timeout == .seconds(30))
        #expect(defaults.retry == RetryPolicy(maxRetries: 3, backoffBase: .milliseconds(100), backoffCap: .seconds(10)))
        #expect(defaults.makeBackend() is OfflineLLM)

        let set = try LLMConfiguration(environment: [
            "LLM_BACKEND": "openai", "LLM_BASE_URL": "http://localhost:11434/v1/", "LLM_MODEL": "llama3.2",
            "OPENAI_API_KEY": "sk-secret-123", "LLM_LATENCY_MS": "250", "LLM_LATENCY_SIGMA": "0.5",
            "LLM_OVERLOAD_RATE": "0.2", "LLM_QUOTA_RATE": "0.1", "LLM_SEED": "7", "LLM_QUALITY_MEAN": "0.7",
            "LLM_MAX_CONCURRENCY": "8", "LLM_TIMEOUT_S": "2.5", "LLM_RETRIES": "0", "LLM_BACKOFF_BASE_MS": "50",
            "LLM_BACKOFF_MAX_MS": "800", "LLM_TEMPERATURE": "0", "LLM_MAX_TOKENS": "256",
        ])
        #expect(set.backend == .openai && set.model == "llama3.2" && set.baseURL.absoluteString == "http://localhost:11434/v1")
        #expect(set.apiKey == APIKey("sk-secret-123") && set.temperature == 0 && set.maxTokens == 256)
        #expect(set.latencyMedianMilliseconds == 250 && set.latencySigma == 0.5 && set.seed == 7)
        #expect(set.overloadRate == 0.2 && set.quotaRate == 0.1 && set.qualityMean == 0.7)
        #expect(set.maxConcurrency == 8 && set.timeout == .milliseconds(2500))
        #expect(set.retry.maxRetries == 0 && set.retry.backoffBase == .milliseconds(50)
            && set.retry.backoffCap == .milliseconds(800))
        let backend = set.makeBackend()
        #expect(backend is OpenAICompatibleLLM)
        // The key shows nowhere.
        for text in ["\(set)", String(reflecting: set), backend.describe(), "\(set.apiKey)"] {
            #expect(!text.contains("sk-secret"), "\(text)")
        }
        var dumped = ""
        dump(set, to: &dumped)
        #expect(!dumped.contains("sk-secret"))
        #expect(try LLMConfiguration(environment: ["LLM_API_KEY": "a", "OPENAI_API_KEY": "b"]).apiKey == APIKey("a"))

        let bad: [([String: String], String)] = [
            (["LLM_BACKEND": "gpt"], "LLM_BACKEND must be one of offline, openai (got 'gpt')"),
            (["LLM_OVERLOAD_RATE": "1.5"], "LLM_OVERLOAD_RATE must be a number from 0 to 1 (got '1.5')"),
            (["LLM_OVERLOAD_RATE": "0.7", "LLM_QUOTA_RATE": "0.5"],
             "LLM_OVERLOAD_RATE + LLM_QUOTA_RATE must be at most 1 (got '0.7 + 0.5')"),
            (["LLM_MAX_CONCURRENCY": "0"], "LLM_MAX_CONCURRENCY must be a whole number from 1 to 1000000 (got '0')"),
            (["LLM_SEED": "-1"], "LLM_SEED must be a whole number from 0 to 18446744073709551615 (got '-1')"),
            (["LLM_BASE_URL": "localhost:11434"], "LLM_BASE_URL must be an http or https URL (got 'localhost:11434')"),
            (["LLM_BACKOFF_BASE_MS": "500", "LLM_BACKOFF_MAX_MS": "100"],
             "LLM_BACKOFF_MAX_MS must be at least LLM_BACKOFF_BASE_MS (500.0) (got '100.0')"),
            (["LLM_TIMEOUT_S": "0"], "LLM_TIMEOUT_S must be a number from 0.001 to 86400 (got '0')"),
            (["LLM_RETRIES": "three"], "LLM_RETRIES must be a whole number from 0 to 1000 (got 'three')"),
        ]
        for (environment, message) in bad {
            #expect(throws: ConfigurationError.self) { try LLMConfiguration(environment: environment) }
            do {
                _ = try LLMConfiguration(environment: environment)
            } catch {
                #expect("\(error)" == message)
                #expect(!"\(error)".contains("\n"))
            }
        }
    }

    // MARK: - Concurrency limiter

    @Test func limiterBoundsConcurrencyAndHonoursCancellation() async throws {
        let limiter = ConcurrencyLimiter(limit: 3)
        let gauge = Gauge()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await limiter.withSlot {
                        await gauge.enter()
                        try await Task.sleep(for: .milliseconds(5))
                        await gauge.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await gauge.peak == 3)
        #expect(await limiter.inUse == 0)

        let single = ConcurrencyLimiter(limit: 1)
        try await single.acquire()
        let waiter = Task { try await single.acquire() }
        while await single.waiting == 0 { await Task.yield() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(await single.waiting == 0)
        await single.release()
        try await single.acquire()  // the slot came back
        await single.release()
    }
}

/// Records the delays an offline model sleeps.
actor SleepRecorder {
    private(set) var delays: [Duration] = []
    func record(_ delay: Duration) { delays.append(delay) }
}

/// Counts holders and remembers the most seen at once.
actor Gauge {
    private var current = 0
    private(set) var peak = 0
    func enter() {
        current += 1
        peak = max(peak, current)
    }
    func leave() { current -= 1 }
}
