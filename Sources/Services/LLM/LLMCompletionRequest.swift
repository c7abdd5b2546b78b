/// What an `LLMBackend` is asked: one question, one attempt.
public struct LLMCompletionRequest: Equatable, Sendable {
    public var questionID: String
    public var title: String
    public var content: String
    /// The text sent to the model as the user message.
    public var prompt: String
    /// The pipeline's attempt for this question: 1 for the first answer, 2 for the first
    /// regeneration, and so on.
    public var attempt: Int
    /// The human best answer. Only `OfflineLLM` reads it (to stand in for a model's knowledge);
    /// real backends never send it.
    public var referenceAnswer: String
    /// The in-place try within this attempt: 0 for the first call, 1 for the first retry after an
    /// overload or quota error (set by the caller of `withRetries`).
    public var retry: Int
    /// Times this attempt was re-issued from `llm_errors` after its in-place retries were
    /// spent (the request's `retries`): a later call, so a sampled model draws afresh.
    public var reissue: Int

    public init(questionID: String, title: String, content: String, prompt: String? = nil, attempt: Int,
                referenceAnswer: String = "", retry: Int = 0, reissue: Int = 0) {
        self.questionID = questionID
        self.title = title
        self.content = content
        self.prompt = prompt ?? Self.prompt(title: title, content: content)
        self.attempt = attempt
        self.referenceAnswer = referenceAnswer
        self.retry = retry
        self.reissue = reissue
    }

    /// This request as try number `retry` of the same attempt.
    public func retrying(_ retry: Int) -> LLMCompletionRequest {
        var copy = self
        copy.retry = retry
        return copy
    }

    /// The default user prompt for a question: its title, then its details when there are any.
    /// The dataset writes newlines as the two characters `\n`; they are turned back into newlines.
    public static func prompt(title: String, content: String) -> String {
        let details = promptText(content)
        let question = promptText(title)
        return details.isEmpty
            ? "Answer this question from Yahoo! Answers.\n\nQuestion: \(question)"
            : "Answer this question from Yahoo! Answers.\n\nQuestion: \(question)\n\nDetails: \(details)"
    }

    /// `text` with the dataset's `\n` turned into newlines and blanks trimmed. ASCII text (most
    /// of the dataset) is done over bytes, with the same result as the Character-based way
    /// that other text takes: in ASCII every byte is a Character but `\r\n`, blank either way,
    /// and every backslash followed by `n` is a match (matches cannot overlap).
    static func promptText(_ text: String) -> String {
        var text = text
        let ascii = text.withUTF8 { bytes -> String? in
            for byte in bytes where byte >= 0x80 { return nil }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { output -> String in
                var count = 0
                var index = 0
                while index < bytes.count {
                    if bytes[index] == UInt8(ascii: "\\") && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "n") {
                        output[count] = 0x0A
                        index += 2
                    } else {
                        output[count] = bytes[index]
                        index += 1
                    }
                    count += 1
                }
                func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
                var start = 0
                while start < count && isBlank(output[start]) { start += 1 }
                while count > start && isBlank(output[count - 1]) { count -= 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: output[start..<count]), as: UTF8.self)
            }
        }
        return ascii ?? text.replacing("\\n", with: "\n").trimmingBlanks()
    }
}
