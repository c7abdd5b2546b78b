/// The valid range of every field that arrives in a message (docs/messages.md, "Domains").
///
/// A decoded value outside its range makes the message invalid: it goes to `dead_letters`
/// with the field and the reason, and no service computes with it or stores it. The ranges are
/// wide enough for every message the pipeline writes and narrow enough that no sum, difference
/// or increment of them can overflow.
public enum MessageDomain {
    /// `attempts` of any message: 0 for a question, 1 and up for an LLM attempt.
    public static let attempts: ClosedRange<Int> = 0...1_000
    /// `retries`: re-issues of one attempt after LLM errors.
    public static let retries: ClosedRange<Int> = 0...1_000
    /// `llm_calls` of a validated response.
    public static let llmCalls: ClosedRange<Int> = 0...1_000_000
    /// `prompt_tokens` and `completion_tokens`: a chain's tokens so far, each (a million calls of
    /// a million tokens; sums of them saturate).
    public static let tokens: ClosedRange<Int> = 0...1_000_000_000_000
    /// Scores (`score`, `first_score`, `previous_score`): finite cosine similarities.
    public static let score: ClosedRange<Double> = 0...1
    /// `latency_ms` of an LLM response: finite, at most a day.
    public static let latencyMilliseconds: ClosedRange<Double> = 0...86_400_000
    /// Every timestamp: 2000-01-01T00:00:00Z up to (excluded) 2100-01-01T00:00:00Z.
    public static let timestamps: Range<Int64> = 946_684_800_000..<4_102_444_800_000
    /// Ids (`trace_id`, `question_id`): 1 to this many UTF-8 bytes.
    public static let maximumIDBytes = 256
    /// `message_id`: as an id, with room for the `v-` of a validated response's id.
    public static let maximumMessageIDBytes = maximumIDBytes + 2
    /// The largest record value a service reads or publishes unless `MAX_MESSAGE_BYTES` says
    /// otherwise: librdkafka's default `message.max.bytes`, less room for the key and framing.
    public static let defaultMaximumMessageBytes = 1_000_000
}
