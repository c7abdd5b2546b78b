import Observability
import VeredictoCore

/// Runs a stage: poll a batch, decode it in place, handle it, publish everything it
/// produced (and dead letters for what could not be read), and commit the batch's offsets
/// once the transport has acknowledged all of it. A crash at any point before the commit
/// redelivers the batch; the store's idempotence absorbs the repeat.
///
/// Batches are pipelined: while the broker acknowledges what one batch produced, the next
/// batches are polled and handled (up to `maxInFlight`), and commits follow in order, each
/// covering every batch whose outputs are acknowledged. Handling stays sequential, so a
/// stage sees its input in order. The loop never waits on the broker while input may be
/// arriving: an acknowledgement wakes the poll, and commits go out without waiting for the
/// broker's answer (the last one, when the runner stops, does wait).
public actor ServiceRunner<Stage: PipelineStage> {
    public let stage: Stage
    private let consumer: any MessageConsumer
    private let producer: any MessageProducer
    private let batchSize: Int
    private let pollTimeout: Duration
    private let deadLetterTopic: String
    private let retryDelay: Duration
    private let maxInFlight: Int
    private let onError: @Sendable (String) -> Void
    private let metrics: MetricsRegistry?
    public private(set) var counters = ServiceCounters()

    private struct InFlight {
        var outputs: [OutboundMessage]
        var receipt: DeliveryReceipt
        let checkpoint: CommitCheckpoint
        let consumed: Int
        let deadLetters: Int
        let consumedByTopic: [String: Int]
        /// Messages the stage set aside to answer later: the batch is committed only after.
        let hold: CommitHold?

        /// Acknowledged, and nothing set aside is still unanswered.
        var isSettled: Bool { receipt.isSettled && (hold?.isReleased ?? true) }
    }
    private var inFlight: [InFlight] = []
    /// Acknowledged but not yet committed: commits are spaced by `commitInterval` (each is a
    /// broker round trip), and always made when the runner drains or stops.
    private var pendingCommit: CommitCheckpoint?
    private var lastCommit = ContinuousClock.now
    private let commitInterval: Duration = .milliseconds(20)
    /// Input topics the stage asked to pause (`CommitHolds.paused`).
    private var paused: Set<String> = []

    public init(stage: Stage, consumer: any MessageConsumer, producer: any MessageProducer, batchSize: Int = 1000,
                pollTimeout: Duration = .milliseconds(50), deadLetterTopic: String,
                retryDelay: Duration = .milliseconds(500), maxInFlight: Int = 8, metrics: MetricsRegistry? = nil,
                onError: @escaping @Sendable (String) -> Void = { _ in }) {
        self.stage = stage
        self.consumer = consumer
        self.producer = producer
        self.batchSize = batchSize
        self.pollTimeout = pollTimeout
        self.deadLetterTopic = deadLetterTopic
        self.retryDelay = retryDelay
        self.maxInFlight = max(1, maxInFlight)
        self.onError = onError
        self.metrics = metrics
        metrics?.declare(ServiceMetricNames.consumed, .counter, help: "Messages consumed, by stage and topic.")
        metrics?.declare(ServiceMetricNames.produced, .counter, help: "Messages produced and acknowledged, by stage and topic.")
        metrics?.declare(ServiceMetricNames.deadLetters, .counter, help: "Unreadable messages sent to the dead-letter topic.")
        metrics?.declare(ServiceMetricNames.batches, .counter, help: "Batches handled and committed.")
        metrics?.declare(ServiceMetricNames.retriedBatches, .counter, help: "Batches handled or delivered again after an error.")
        metrics?.declare(ServiceMetricNames.batchSeconds, .histogram, help: "Time to handle one batch, by stage.")
    }

    /// Runs until the task is cancelled; batches in flight are acknowledged and committed
    /// first. A failed poll or commit (a broker restart, a rebalance) is logged and retried:
    /// uncommitted batches come back, so nothing is lost.
    public func run() async throws {
        while !Task.isCancelled {
            do {
                try await step()
            } catch {
                if Task.isCancelled { break }
                onError("\(stage.name): \(error); retrying")
                try? await Task.sleep(for: retryDelay)
            }
        }
        try? await settle(.all)
        await consumer.close()
        await producer.close()
    }

    /// Polls and processes one batch (nothing when none arrives in time), then settles and
    /// commits the batches whose outputs are acknowledged. Returns the messages consumed.
    @discardableResult
    public func runOnce() async throws -> Int {
        let consumed = try await step()
        try await settle(.all)
        return consumed
    }

    @discardableResult
    private func step() async throws -> Int {
        if inFlight.count >= maxInFlight {
            try await settle(.oldest)
            // A held batch at the head is not waited for (its answers need the next polls);
            // the limit then bounds the batches still travelling to the broker.
            let travelling = inFlight.filter { !$0.receipt.isSettled }
            if travelling.count >= maxInFlight { try? await travelling[0].receipt.wait() }
        }
        // Each acknowledgement wakes the poll (see below), so waiting here delays no commit;
        // a commit held back by the commit interval bounds the wait.
        var timeout = pollTimeout
        if pendingCommit != nil {
            timeout = min(timeout, max(.zero, commitInterval - (ContinuousClock.now - lastCommit)))
        }
        let polled = try await consumer.poll(maxMessages: batchSize, timeout: timeout) { raw in
            (raw.topic, Stage.decode(raw))
        }
        try await settle(.available)
        if polled.isEmpty {
            // A transport may end a poll early so that the runner commits (the in-memory bus
            // does while a sender waits for room); a batch whose commit the stage holds cannot
            // be, so pause briefly instead of polling again at once.
            if let head = inFlight.first, let hold = head.hold, !hold.isReleased {
                try await Task.sleep(for: .milliseconds(1))
            }
            return 0
        }
        var inputs: [Stage.Input] = []
        inputs.reserveCapacity(polled.count)
        var outbound: [OutboundMessage] = []
        var consumedByTopic = TopicTally()
        for (topic, item) in polled {
            consumedByTopic.count(topic)
            switch item {
            case .message(let input): inputs.append(input)
            case .invalid(let invalid): outbound.append(DeadLetters.message(for: invalid, topic: deadLetterTopic))
            }
        }
        let deadLetters = outbound.count
        // Handle until it works: an uncommitted batch is never dropped.
        let started = ContinuousClock.now
        while true {
            do {
                if !inputs.isEmpty { outbound += try await stage.handle(inputs) }
                break
            } catch {
                if Task.isCancelled { throw error }
                counters.retriedBatches += 1
                metrics?.increment(ServiceMetricNames.retriedBatches, labels: ["stage": stage.name])
                onError("\(stage.name): batch of \(inputs.count) failed, retrying: \(error)")
                try await Task.sleep(for: retryDelay)
            }
        }
        if let metrics {
            let elapsed = ContinuousClock.now - started
            let seconds = elapsed.inSeconds
            metrics.observe(ServiceMetricNames.batchSeconds, labels: ["stage": stage.name], seconds)
        }
        let receipt = try await enqueueRetrying(outbound)
        let holds = inputs.isEmpty ? .none : await stage.takeCommitHolds()
        for answered in holds.answered {
            answered.attach(receipt)
            receipt.whenSettled { [consumer] in consumer.wakeUp() }
        }
        if let pause = holds.paused, pause != paused {
            paused = pause
            await consumer.pause(pause)
        }
        inFlight.append(InFlight(outputs: outbound, receipt: receipt, checkpoint: consumer.checkpoint(),
                                 consumed: polled.count, deadLetters: deadLetters, consumedByTopic: consumedByTopic.counts,
                                 hold: holds.held))
        return polled.count
    }

    private enum Settling {
        /// Take the batches acknowledged already; commit without waiting, at most once per
        /// commit interval.
        case available
        /// Also wait for the oldest batch (the in-flight limit is reached).
        case oldest
        /// Wait for every batch and for the commit (draining, stopping); a batch whose commit
        /// the stage holds, and every later one, stay uncommitted.
        case all
    }

    /// Takes acknowledged batches in order (waiting as `mode` says) and commits up to the last
    /// of them, stopping at a batch whose commit the stage holds. A failed delivery is sent again.
    private func settle(_ mode: Settling) async throws {
        var committable: CommitCheckpoint?
        var mustWait = mode != .available
        while let first = inFlight.first, mustWait || first.isSettled {
            if mode == .oldest { mustWait = false }
            do {
                try await first.receipt.wait()
            } catch {
                if Task.isCancelled { throw error }
                counters.retriedBatches += 1
                metrics?.increment(ServiceMetricNames.retriedBatches, labels: ["stage": stage.name])
                onError("\(stage.name): delivery failed, sending the batch's \(first.outputs.count) messages again: \(error)")
                try await Task.sleep(for: retryDelay)
                inFlight[0].receipt = try await enqueueRetrying(first.outputs)
                continue
            }
            if let hold = first.hold, !hold.isReleased { break }
            inFlight.removeFirst()
            committable = first.checkpoint
            counters.batches += 1
            counters.consumed += first.consumed
            counters.produced += first.outputs.count
            counters.deadLetters += first.deadLetters
            var produced = TopicTally()
            for message in first.outputs { produced.count(message.topic) }
            let producedByTopic = produced.counts
            for (topic, count) in first.consumedByTopic { counters.consumedByTopic[topic, default: 0] += count }
            for (topic, count) in producedByTopic { counters.producedByTopic[topic, default: 0] += count }
            if let metrics {
                let name = stage.name
                metrics.increment(ServiceMetricNames.batches, labels: ["stage": name])
                metrics.increment(ServiceMetricNames.deadLetters, labels: ["stage": name], by: Double(first.deadLetters))
                for (topic, count) in first.consumedByTopic {
                    metrics.increment(ServiceMetricNames.consumed, labels: ["stage": name, "topic": topic], by: Double(count))
                }
                for (topic, count) in producedByTopic {
                    metrics.increment(ServiceMetricNames.produced, labels: ["stage": name, "topic": topic], by: Double(count))
                }
            }
        }
        if let committable { pendingCommit = committable }
        guard let checkpoint = pendingCommit else { return }
        if mode == .all {
            try await consumer.commit(upTo: checkpoint)
        } else if ContinuousClock.now - lastCommit >= commitInterval {
            try await consumer.commitWithoutWaiting(upTo: checkpoint)
        } else {
            return
        }
        pendingCommit = nil
        lastCommit = ContinuousClock.now
    }

    /// Enqueues, and has the acknowledgement wake the consumer's poll so the batch is settled
    /// and committed at once rather than at the poll's timeout.
    private func enqueueRetrying(_ messages: [OutboundMessage]) async throws -> DeliveryReceipt {
        while true {
            do {
                let receipt = try await producer.enqueue(messages)
                receipt.whenSettled { [consumer] in consumer.wakeUp() }
                return receipt
            } catch {
                if Task.isCancelled { throw error }
                onError("\(stage.name): cannot enqueue \(messages.count) messages, retrying: \(error)")
                try await Task.sleep(for: retryDelay)
            }
        }
    }
}
