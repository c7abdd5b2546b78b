import VeredictoCore

/// The `results` document of one question: its first decision, and counters of every
/// asking since.
public struct StoredResult: Sendable, Equatable {
    public var decision: Decision       // the first decision, which the answer fields come from
    public var storedAt: Int64
    public var timesAsked: Int
    public var served: [DecisionSource: Int]
    public var llmCalls: Int
    public var regenerations: Int
    /// The tokens of every asking's LLM calls, summed as `llmCalls` is.
    public var usage: LLMUsage

    public init(decision: Decision, storedAt: Int64, timesAsked: Int, served: [DecisionSource: Int],
                llmCalls: Int, regenerations: Int, usage: LLMUsage = .zero) {
        self.decision = decision
        self.storedAt = storedAt
        self.timesAsked = timesAsked
        self.served = served
        self.llmCalls = llmCalls
        self.regenerations = regenerations
        self.usage = usage
    }

    public var e2eLatencyMilliseconds: Double { Double(storedAt) - Double(decision.createdAt) }
}

extension Decision {
    /// The answer's fields: what a result keeps of the decision that answered it, and what a
    /// result stored as failed takes from the first answer that comes later.
    package func writeAnswer(to writer: inout some ResultFieldWriter) {
        writer.string("llm_answer", llmAnswer)
        writer.double("score", score)
        writer.double("first_score", firstScore)
        writer.integer("attempts", attempts)
        writer.string("status", status.rawValue)
        writer.string("source", source.rawValue)
    }
}

extension StoredResult {
    /// The fields results.jsonl and the MongoDB `results` document share, in their order; each
    /// adds its own after them (the document also has _id first, then served and message_id).
    /// The LLM's tokens come last, with their price at `prices` when the writer knows them.
    package func writeFields(to writer: inout some ResultFieldWriter, prices: LLMPrices?) {
        let d = decision
        writer.string("question_id", d.questionID)
        writer.string("trace_id", d.traceID)
        writer.string("title", d.title)
        writer.string("content", d.content)
        writer.string("best_answer", d.bestAnswer)
        d.writeAnswer(to: &writer)
        writer.date("created_at", milliseconds: d.createdAt)
        writer.date("decided_at", milliseconds: d.decidedAt)
        writer.date("stored_at", milliseconds: storedAt)
        writer.double("e2e_latency_ms", e2eLatencyMilliseconds)
        writer.integer("times_asked", timesAsked)
        usage.writeFields(to: &writer, prices: prices)
    }
}

extension LLMUsage {
    /// `prompt_tokens`, `completion_tokens`, `tokens_estimated` and, with `prices`, `cost`: the
    /// same fields in a result and in the metrics document.
    package func writeFields(to writer: inout some ResultFieldWriter, prices: LLMPrices?) {
        writer.integer("prompt_tokens", promptTokens)
        writer.integer("completion_tokens", completionTokens)
        writer.bool("tokens_estimated", estimated)
        if let prices { writer.double("cost", cost(at: prices)) }
    }

    /// These tokens and `other`'s, saturating (sums over many askings may exceed a message's
    /// domain, never an `Int`).
    package func summed(with other: LLMUsage) -> LLMUsage {
        LLMUsage(promptTokens: promptTokens.saturatingAdd(other.promptTokens),
                 completionTokens: completionTokens.saturatingAdd(other.completionTokens),
                 estimated: estimated || other.estimated)
    }
}

