import VeredictoCore
/// When and how long to wait before calling a model again in place, after an error.
///
/// - Overload: exponential backoff with full jitter. Retry `n` (1 for the first retry) waits a
///   uniformly random time in `[0, min(backoffCap, backoffBase * 2^(n-1)))`, so clients that
///   failed together spread out instead of returning together.
/// - Quota: the wait the server asked for (`Retry-After`), or `quotaWindow` when it gave none. A
///   wait longer than `maxQuotaWait` is not spent in place: the error goes back to the caller,
///   which schedules the request on `llm_errors` with a `retry_at` instead of holding it.
/// - Invalid responses and client errors are not retried in place.
///
/// At most `maxRetries` retries follow the first call, whatever the errors' classes.
public struct RetryPolicy: Equatable, Sendable {
    /// Retries after the first call (`LLM_RETRIES`); 0 = no retry in place.
    public var maxRetries: Int
    /// First backoff ceiling (`LLM_BACKOFF_BASE_MS`).
    public var backoffBase: Duration
    /// Largest backoff ceiling (`LLM_BACKOFF_MAX_MS`).
    public var backoffCap: Duration
    /// Wait after a quota error that names none (`LLM_QUOTA_WINDOW_S`).
    public var quotaWindow: Duration
    /// Longest quota wait spent in place (`LLM_MAX_QUOTA_WAIT_S`).
    public var maxQuotaWait: Duration

    public init(maxRetries: Int = 3, backoffBase: Duration = .milliseconds(100), backoffCap: Duration = .seconds(10),
                quotaWindow: Duration = .seconds(60), maxQuotaWait: Duration = .seconds(60)) {
        precondition(maxRetries >= 0, "maxRetries must not be negative")
        precondition(backoffBase >= .zero && backoffCap >= .zero, "backoff must not be negative")
        self.maxRetries = maxRetries
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.quotaWindow = quotaWindow
        self.maxQuotaWait = maxQuotaWait
    }

    /// No retry in place.
    public static let none = RetryPolicy(maxRetries: 0)

    /// The backoff ceiling before retry `retry` (1-based): `min(backoffCap, backoffBase * 2^(retry-1))`.
    public func backoffCeiling(retry: Int) -> Duration {
        let exponent = min(max(retry - 1, 0), 62)
        let ceiling = Self.seconds(backoffBase) * Double(UInt64(1) << exponent)
        return .seconds(min(Self.seconds(backoffCap), ceiling))
    }

    /// The full-jitter backoff before retry `retry` (1-based), with `random` uniform in [0, 1).
    public func backoff(retry: Int, random: Double) -> Duration {
        let fraction = min(max(random, 0), 1)
        return .seconds(Self.seconds(backoffCeiling(retry: retry)) * fraction)
    }

    /// The wait before retry `retry` (1-based) after `error`, or `nil` when it must not be retried
    /// in place (retries spent, a class that is not retried, or a quota wait beyond `maxQuotaWait`).
    public func delay(after error: LLMError, retry: Int, random: Double) -> Duration? {
        guard retry <= maxRetries else { return nil }
        switch error {
        case .overload:
            return backoff(retry: retry, random: random)
        case .quota(let retryAfter, _):
            let wait = retryAfter ?? quotaWindow
            return wait <= maxQuotaWait ? wait : nil
        case .invalidResponse, .client:
            return nil
        }
    }

    private static func seconds(_ duration: Duration) -> Double { duration.inSeconds }
}

/// Calls `operation` until it succeeds or `policy` says to stop, waiting between calls as the
/// policy says for each error class; returns the first success or throws the last error.
///
/// `operation` receives the try number (0 for the first call), to pass on as
/// `LLMCompletionRequest.retry`. Errors that are not `LLMError` (cancellation among them) are
/// thrown at once. `sleep` and `random` (uniform in [0, 1)) are injectable so tests run instantly
/// and deterministically; by default they follow `PipelineTime` (a simulated run's virtual
/// clock and seeded stream, else the wall clock and the system generator); `onRetry` sees each error that is retried and the wait before the retry.
public func withRetries<Result>(
    _ policy: RetryPolicy,
    sleep: (Duration) async throws -> Void = { try await PipelineTime.sleep(for: $0) },
    random: () -> Double = { PipelineTime.unitRandom() },
    onRetry: (_ error: LLMError, _ retry: Int, _ delay: Duration) -> Void = { _, _, _ in },
    isolation: isolated (any Actor)? = #isolation,
    operation: (_ retry: Int) async throws -> Result
) async throws -> Result {
    var retry = 0
    while true {
        do {
            return try await operation(retry)
        } catch let error as LLMError {
            retry += 1
            guard let delay = policy.delay(after: error, retry: retry, random: random()) else { throw error }
            onRetry(error, retry, delay)
            if delay > .zero { try await sleep(delay) }
        }
    }
}
