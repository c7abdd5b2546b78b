import Transport
import VeredictoCore
/// Re-issues failed LLM requests from `llm_errors` when their retry is due, up to
/// `maxRetries` re-issues; past that (or for an error that retrying cannot fix) the question
/// is decided as failed, so nothing is silently dropped.
public struct LLMRetryStage: PipelineStage {
    public let name = "llm-retry"
    public let inputTopics: [String]
    let topics: PipelineTopics
    let maxRetries: Int
    /// Longest wait for a due time (a clock skew or a far Retry-After must not stall the service).
    let maximumWait: Duration
    /// Latest due time from now: a `retry_at` further out is brought forward to it, so that a
    /// request never circulates on `llm_errors` for longer (whatever a server or a forged
    /// message says).
    let maximumDelay: Duration

    public init(topics: PipelineTopics, maxRetries: Int, maximumWait: Duration = .seconds(60),
                maximumDelay: Duration = .seconds(900)) {
        self.topics = topics
        self.inputTopics = [topics.name(.llmErrors)]
        self.maxRetries = maxRetries
        self.maximumWait = maximumWait
        self.maximumDelay = max(maximumWait, maximumDelay)
    }

    public static func decode(_ raw: RawMessage) -> Inbound<ErrorMessage> {
        do { return .message(try ErrorMessage.decode(raw.value)) } catch {
            return .invalid(InvalidMessage(raw, reason: "\(error)"))
        }
    }

    /// Waits for each due time in order, but never more than `maximumWait` for a whole batch:
    /// a request due later goes back to `llm_errors` unchanged and is read again, so a long
    /// Retry-After never holds a batch (and its commit) for minutes.
    public func handle(_ inputs: [ErrorMessage]) async throws -> [OutboundMessage] {
        var out: [OutboundMessage] = []
        let now = Timestamp.now()
        let batchDeadline = now.advanced(byMilliseconds: maximumWait.wholeMilliseconds)
        let latestDue = now.advanced(byMilliseconds: maximumDelay.wholeMilliseconds)
        for var error in inputs.sorted(by: { $0.retryAt < $1.retryAt }) {
            if error.retryAt > latestDue { error.retryAt = latestDue }
            if error.retries >= maxRetries || error.kind == .client {
                out.append(error.failure.outbound(topics, key: error.questionID))
                continue
            }
            if error.retryAt > batchDeadline {
                // Due later than this batch may wait: wait out the batch's share, then put it
                // (and the later ones, sorted after it) back to be read again.
                let wait = Duration.milliseconds(batchDeadline.milliseconds(since: .now()))
                if wait > .zero { try await PipelineTime.sleep(for: wait) }
                out.append(error.outbound(topics, key: error.questionID))
                continue
            }
            let wait = Duration.milliseconds(error.retryAt.milliseconds(since: .now()))
            if wait > .zero { try await PipelineTime.sleep(for: wait) }
            out.append(error.retry.outbound(topics, key: error.questionID))
        }
        return out
    }
}
