import Dataset
import Transport
import VeredictoCore
/// The traffic generator: publishes questions to `questions_in` following an arrival process,
/// choosing which question to ask by a popularity law (so repeats exercise the cache).
///
/// Sends are scheduled on an absolute timeline (start + sum of gaps), so a slow send does
/// not shift every later one; messages due at the same millisecond go out together.
/// Every acknowledged send is recorded in the traffic log.
public struct QuestionGenerator: Sendable {
    public let questions: [YahooRow]
    public let questionIDs: [String]
    public let arrival: ArrivalProcess
    public let popularity: Popularity
    public let total: Int
    public let seed: UInt64
    public let topics: PipelineTopics
    /// Messages published per send call when sending as fast as possible.
    public var burst = 1000

    public init(questions: [YahooRow], questionIDs: [String]? = nil, arrival: ArrivalProcess, popularity: Popularity,
                total: Int, seed: UInt64, topics: PipelineTopics) throws {
        guard !questions.isEmpty else { throw ConfigurationError("the dataset holds no question") }
        guard total >= 1 else { throw ConfigurationError("--total must be at least 1, got \(total)") }
        self.questions = questions
        self.questionIDs = questionIDs ?? questions.indices.map { "q\($0)" }
        self.arrival = try arrival.validated()
        self.popularity = popularity
        self.total = total
        self.seed = seed
        self.topics = topics
    }

    /// Bytes of escaped texts `run` keeps.
    static let encodedTextBytes = 16 << 20

    /// One acknowledged send.
    public struct Send: Sendable {
        public let sequence: Int
        public let questionID: String
        public let traceID: String
        public let scheduledMilliseconds: Double  // since the start
        public let sentAt: Timestamp
    }

    /// Publishes `total` questions; calls `onSent` with each acknowledged group of sends.
    public func run(producer: any MessageProducer, onSent: @Sendable ([Send]) -> Void = { _ in }) async throws {
        var random = SplitMix64(seed: seed)
        let clock = ContinuousClock()
        let start = clock.now
        var elapsed = 0.0  // seconds since start of the next send
        var sequence = 0
        let topic = topics.name(.questionsIn)
        // A question's texts are escaped once, the first time it is asked (while the texts kept
        // so stay under `Self.encodedTextBytes`: memory stays bounded on a large dataset; the
        // popular questions come first); each asking then gets its own ids and time.
        var encoded: [Int: AskedQuestion] = [:]
        var encodedBytes = 0
        while sequence < total && !Task.isCancelled {
            // Gather every message due by now (at least one), up to a burst.
            var messages: [OutboundMessage] = []
            var pending: [(Int, String, String, Double)] = []
            let due = clock.now
            repeat {
                let index = popularity.next(&random)
                var asking = encoded[index] ?? {
                    let row = questions[index]
                    let question = AskedQuestion(QuestionMessage(questionID: questionIDs[index], title: row.title,
                                                                 content: row.content, bestAnswer: row.bestAnswer))
                    if encodedBytes < Self.encodedTextBytes {
                        encoded[index] = question
                        encodedBytes += question.textBytes
                    }
                    return question
                }()
                asking.messageID = MessageID.make()
                asking.traceID = MessageID.make()
                asking.createdAt = .now()
                messages.append(OutboundMessage(topic: topic, key: asking.questionID, value: asking.jsonBytes))
                pending.append((sequence, asking.questionID, asking.traceID, elapsed * 1000))
                sequence += 1
                elapsed += arrival.nextGap(&random)
            } while sequence < total && messages.count < burst && start + .seconds(elapsed) <= due
            try await producer.send(messages)
            let sentAt = Timestamp.now()
            onSent(pending.map { Send(sequence: $0.0, questionID: $0.1, traceID: $0.2, scheduledMilliseconds: $0.3, sentAt: sentAt) })
            let next = start + .seconds(elapsed)
            if sequence < total && next > clock.now { try await Task.sleep(until: next, clock: clock) }
        }
    }
}
