import Observability
import Transport
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
///
/// Cancelling `run` stops it gracefully: the batch in hand is handled and published, every
/// batch in flight is acknowledged, and their offsets are committed before the consumer leaves
/// its group. That work is not cancelled with the task, only once it outlasts `stopGrace`;
/// what is uncommitted then goes to the next member of the group.
///
/// Errors are of two kinds (`ClassifiedError`). Transient ones (a broker or database away, a
/// timeout) are retried with a growing delay for as long as it takes. Permanent ones (a record
/// over `maxMessageBytes`, a document the database rejects) would fail the same way forever:
/// the runner halves the batch until it finds the messages that cause them, sends those to the
/// dead-letter topic with the reason and their place, and lets the rest through.
///
/// It lives in the module of the pipeline's stages, not in Transport, so that the optimizer
/// gives each of them a copy specialized for its type (see `StageRunners.swift`).
public actor ServiceRunner<Stage: PipelineStage> {
    public let stage: Stage
    private let consumer: any MessageConsumer
    private let producer: any MessageProducer
    private let batchSize: Int
    private let pollTimeout: Duration
    private let deadLetterTopic: String
    private let retryDelay: Duration
    /// A pause between polling a batch and handling it: fault injection for tests (zero otherwise).
    private let pauseAfterPoll: Duration
    private let maxInFlight: Int
    /// The largest record value read or published; a larger input is a dead letter, and so is
    /// an output that would be larger (with its size and first bytes).
    private let maxMessageBytes: Int
    /// The longest delay between two tries after a transient error: once its cause is gone
    /// (MongoDB back, the open transaction of a store killed mid-batch expired on the server),
    /// the stage goes on within this. A try costs the failing call and nothing more, so a
    /// short ceiling costs little during a long outage; with 30 s, a store whose conflicts
    /// ended had sat idle for half a minute.
    private let maxRetryDelay: Duration = .seconds(5)
    private let onError: @Sendable (String) -> Void
    private let metrics: MetricsRegistry?
    private let stop: RunnerStop
    public private(set) var counters = ServiceCounters()

    private struct InFlight {
        var outputs: [OutboundMessage]
        var receipt: DeliveryReceipt
        let checkpoint: CommitCheckpoint
        let consumed: Int
        let consumedByTopic: [String: Int]
        /// Messages the stage set aside to answer later: the batch is committed only after.
        let hold: CommitHold?
        /// This runner's number of the batch (what the holds it answers know its delivery by).
        var serial: UInt64 = 0
        /// Holds of earlier batches (or this one) whose answers travel with this batch's outputs.
        var answered: [CommitHold] = []

        /// Acknowledged, and nothing set aside is still unanswered.
        var isSettled: Bool { receipt.isSettled && (hold?.isReleased ?? true) }
    }
    private var inFlight: [InFlight] = []
    private var nextSerial: UInt64 = 0
    /// Acknowledged but not yet committed: commits are spaced by `commitInterval` (each is a
    /// broker round trip), and always made when the runner drains or stops.
    private var pendingCommit: CommitCheckpoint?
    private var lastCommit = ContinuousClock.now
    private let commitInterval: Duration = .milliseconds(20)
    /// Input topics the stage asked to pause (`CommitHolds.paused`).
    private var paused: Set<String> = []

    public init(stage: Stage, consumer: any MessageConsumer, producer: any MessageProducer, batchSize: Int = 1000,
                pollTimeout: Duration = .milliseconds(50), deadLetterTopic: String,
                retryDelay: Duration = .milliseconds(500), maxInFlight: Int = 8,
                maxMessageBytes: Int = MessageDomain.defaultMaximumMessageBytes, metrics: MetricsRegistry? = nil,
                stopGrace: Duration = .seconds(8), pauseAfterPoll: Duration = .zero,
                onError: @escaping @Sendable (String) -> Void = { _ in }) {
        self.pauseAfterPoll = pauseAfterPoll
        self.stage = stage
        self.consumer = consumer
        self.producer = producer
        self.batchSize = batchSize
        self.pollTimeout = pollTimeout
        self.deadLetterTopic = deadLetterTopic
        self.retryDelay = retryDelay
        self.maxInFlight = max(1, maxInFlight)
        self.maxMessageBytes = max(1, maxMessageBytes)
        self.onError = onError
        self.metrics = metrics
        self.stop = RunnerStop(grace: stopGrace)
        metrics?.declare(ServiceMetricNames.polled, .counter, help: "Messages polled, by stage (a redelivered message counts again).")
        metrics?.declare(ServiceMetricNames.consumed, .counter, help: "Messages consumed, by stage and topic.")
        metrics?.declare(ServiceMetricNames.produced, .counter, help: "Messages produced and acknowledged, by stage and topic.")
        metrics?.declare(ServiceMetricNames.deadLetters, .counter,
                         help: "Messages sent to the dead-letter topic: unreadable, invalid, too large, or rejected.")
        metrics?.declare(ServiceMetricNames.batches, .counter, help: "Batches handled and committed.")
        metrics?.declare(ServiceMetricNames.retriedBatches, .counter, help: "Batches handled or delivered again after an error.")
        metrics?.declare(ServiceMetricNames.batchSeconds, .histogram, help: "Time to handle one batch, by stage.")
    }

    /// Runs until the task is cancelled, then finishes the batch in hand, waits for everything
    /// in flight to be acknowledged and commits it (within `stopGrace`). A failed poll or commit
    /// (a broker restart, a rebalance) is logged and retried: uncommitted batches come back, so
    /// nothing is lost.
    public func run() async throws {
        await withTaskCancellationHandler {
            // In a task of its own, which the stop does not cancel (only the end of the grace
            // period does): the batch in hand, the last acknowledgements and the commit are
            // not cut short.
            try? await stop.shielded { await self.runUntilStopped() }
        } onCancel: { [stop, consumer] in
            stop.request()
            consumer.wakeUp()
        }
        stop.finish()
        await consumer.close()
        await producer.close()
    }

    private func runUntilStopped() async {
        while !stop.isRequested {
            do {
                try await step()
            } catch {
                if stop.isRequested { break }
                onError("\(stage.name): \(error); retrying")
                try? await Task.sleep(for: retryDelay)
            }
        }
        await handOffHeld()
        do {
            try await settle(.all)
        } catch {
            onError("\(stage.name): stopped before \(inFlight.count) batches were acknowledged and committed (\(error)); "
                + "the next member of the group reads them again")
        }
    }

    /// Publishes what the stage hands off at the stop (messages it set aside), so that the
    /// batches it held can be committed once that is acknowledged.
    private func handOffHeld() async {
        let handed = await stage.handOffHeld()
        guard !handed.isEmpty else { return }
        do {
            let (receipt, sent) = try await enqueueRetrying(boundingSizes(handed))
            nextSerial += 1
            let answered = await stage.takeCommitHolds().answered
            for hold in answered { hold.attach(receipt, batch: nextSerial) }
            // Acknowledged before the last settle, which then finds the holds released.
            try await receipt.wait()
            inFlight.append(InFlight(outputs: sent, receipt: receipt, checkpoint: consumer.checkpoint(),
                                     consumed: 0, consumedByTopic: [:], hold: nil, serial: nextSerial, answered: answered))
            onError("\(stage.name): stopping: \(handed.count) messages set aside handed to the next owner")
        } catch {
            onError("\(stage.name): stopping: could not hand off \(handed.count) messages set aside (\(error)); "
                + "the next member of the group reads them again")
        }
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
        let limit = maxMessageBytes
        let polled = try await consumer.poll(maxMessages: batchSize, timeout: timeout) { raw in
            let place = RecordPlace(topic: raw.topic, partition: raw.partition, offset: raw.offset)
            if raw.value.count > limit {
                let reason = "record of \(raw.value.count) bytes is larger than MAX_MESSAGE_BYTES (\(limit))"
                return (place, Inbound<Stage.Input>.invalid(InvalidMessage(raw, reason: reason)))
            }
            if let reason = raw.rejection { return (place, Inbound<Stage.Input>.invalid(InvalidMessage(raw, reason: reason))) }
            return (place, Stage.decode(raw))
        }
        // What a rebalance moved to another member is dropped by the stage before it handles more.
        let moved = await consumer.takeMovedAway()
        if !moved.isEmpty { await stage.partitionsMovedAway(moved) }
        // The batch just polled is handled and kept in flight whatever settling does: a later
        // checkpoint covers it, so dropping it here would commit past messages never handled.
        var settleError: (any Error)?
        do {
            try await settle(.available)
        } catch {
            settleError = error
        }
        if polled.isEmpty {
            if let settleError { throw settleError }
            try await turnWithoutInput()
            // A transport may end a poll early so that the runner commits (the in-memory bus
            // does while a sender waits for room); a batch whose commit the stage holds cannot
            // be, so pause briefly instead of polling again at once.
            if let head = inFlight.first, let hold = head.hold, !hold.isReleased {
                try await Task.sleep(for: .milliseconds(1))
            }
            return 0
        }
        counters.polled += polled.count
        metrics?.increment(ServiceMetricNames.polled, labels: ["stage": stage.name], by: Double(polled.count))
        // Fault injection (FAULT_PAUSE_AFTER_POLL_MS): the batch stays in hand, polled and not
        // handled, so a test's SIGTERM or SIGKILL can land mid-batch on a machine of any speed.
        if pauseAfterPoll > .zero { try? await Task.sleep(for: pauseAfterPoll) }
        var inputs: [Stage.Input] = []
        var places: [RecordPlace] = []
        inputs.reserveCapacity(polled.count)
        places.reserveCapacity(polled.count)
        var outbound: [OutboundMessage] = []
        var consumedByTopic = TopicTally()
        for (place, item) in polled {
            consumedByTopic.count(place.topic)
            switch item {
            case .message(let input):
                inputs.append(input)
                places.append(place)
            case .invalid(let invalid): outbound.append(DeadLetters.message(for: invalid, topic: deadLetterTopic))
            }
        }
        // Handle until it works: an uncommitted batch is never dropped.
        let started = ContinuousClock.now
        if !inputs.isEmpty { outbound += try await handleIsolating(inputs[...], places[...]) }
        if let metrics {
            let elapsed = ContinuousClock.now - started
            let seconds = elapsed.inSeconds
            metrics.observe(ServiceMetricNames.batchSeconds, labels: ["stage": stage.name], seconds)
        }
        try await publish(outbound, holds: inputs.isEmpty ? .none : await stage.takeCommitHolds(),
                          consumed: polled.count, consumedByTopic: consumedByTopic.counts)
        if let settleError { throw settleError }
        return polled.count
    }

    /// Enqueues a batch's outputs and puts the batch in flight: its commit follows their
    /// acknowledgement, and that of the holds it answers.
    private func publish(_ outbound: [OutboundMessage], holds: CommitHolds, consumed: Int,
                         consumedByTopic: [String: Int]) async throws {
        let (receipt, sent) = try await enqueueRetrying(boundingSizes(outbound))
        nextSerial += 1
        for answered in holds.answered {
            answered.attach(receipt, batch: nextSerial)
            receipt.whenSettled { [consumer] in consumer.wakeUp() }
        }
        if let pause = holds.paused, pause != paused {
            paused = pause
            await consumer.pause(pause)
        }
        inFlight.append(InFlight(outputs: sent, receipt: receipt, checkpoint: consumer.checkpoint(),
                                 consumed: consumed, consumedByTopic: consumedByTopic, hold: holds.held,
                                 serial: nextSerial, answered: holds.answered))
    }

    /// Gives the stage its turn without input (`PipelineStage.turnWithoutInput`) and publishes
    /// what it returns as a batch that consumed nothing: its checkpoint is that of the batches
    /// before it, so its commit moves no offset they had not reached.
    private func turnWithoutInput() async throws {
        let outbound = try await stage.turnWithoutInput()
        guard !outbound.isEmpty else { return }
        try await publish(outbound, holds: await stage.takeCommitHolds(), consumed: 0, consumedByTopic: [:])
    }

    /// Where a consumed record was.
    private struct RecordPlace: Sendable {
        let topic: String
        let partition: Int32
        let offset: Int64
    }

    /// Handles `inputs`, retrying transient errors. A permanent error halves the batch until
    /// the inputs that cause it are found; each becomes a dead letter naming its place.
    private func handleIsolating(_ inputs: ArraySlice<Stage.Input>,
                                 _ places: ArraySlice<RecordPlace>) async throws -> [OutboundMessage] {
        var failures = 0
        while true {
            do {
                return try await stage.handle(Array(inputs))
            } catch {
                if stop.isRequested { throw error }
                countRetry()
                if error.isPermanentFailure {
                    if inputs.count == 1, let input = inputs.first, let place = places.first {
                        onError("\(stage.name): \(place.topic)/\(place.partition)/\(place.offset) rejected, to dead letters: \(error)")
                        let invalid = Stage.payload(of: input).withUnsafeBytes { payload in
                            InvalidMessage(topic: place.topic, partition: place.partition, offset: place.offset, key: [],
                                           reason: "rejected: \(error)", value: payload)
                        }
                        return [DeadLetters.message(for: invalid, topic: deadLetterTopic)]
                    }
                    onError("\(stage.name): batch of \(inputs.count) failed for good, halving it to find the cause: \(error)")
                    let middle = inputs.startIndex + inputs.count / 2
                    let first = try await handleIsolating(inputs[..<middle], places[..<middle])
                    return try await first + handleIsolating(inputs[middle...], places[middle...])
                }
                onError("\(stage.name): batch of \(inputs.count) failed, retrying: \(error)")
                try await Task.sleep(for: backoff(after: failures))
                failures += 1
            }
        }
    }

    /// Sends the outputs of the batch at `index`, whose delivery failed with `error`, again (in
    /// halves, dead-lettering what the transport refuses for good, when the failure is
    /// permanent), and ties the holds its outputs answer to the new delivery.
    private func redeliver(at index: Int, after error: any Error) async throws {
        countRetry()
        let batch = inFlight[index]
        if error.isPermanentFailure {
            onError("\(stage.name): delivery failed for good, sending the batch's \(batch.outputs.count) messages again in halves to find the cause: \(error)")
            inFlight[index].outputs = try await sendIsolating(batch.outputs[...])
            inFlight[index].receipt = .acknowledged
        } else {
            onError("\(stage.name): delivery failed, sending the batch's \(batch.outputs.count) messages again: \(error)")
            try await Task.sleep(for: retryDelay)
            (inFlight[index].receipt, inFlight[index].outputs) = try await enqueueRetrying(batch.outputs)
        }
        let receipt = inFlight[index].receipt
        for hold in batch.answered { hold.reattach(batch: batch.serial, receipt) }
        if !batch.answered.isEmpty { receipt.whenSettled { [consumer] in consumer.wakeUp() } }
    }

    /// Counts a batch handled or sent again after an error (`veredicto_batches_retried_total`).
    private func countRetry() {
        counters.retriedBatches += 1
        metrics?.increment(ServiceMetricNames.retriedBatches, labels: ["stage": stage.name])
    }

    /// The delay after `failures` failed tries in a row: `retryDelay`, doubling up to `maxRetryDelay`.
    private func backoff(after failures: Int) -> Duration {
        var delay = retryDelay
        for _ in 0..<min(failures, 16) where delay < maxRetryDelay { delay *= 2 }
        return min(delay, maxRetryDelay)
    }

    /// Replaces every message over `maxMessageBytes` with a dead letter carrying its size and
    /// first bytes: publishing it would fail the same way every time. Dead letters themselves
    /// are bounded already (`InvalidMessage.payloadPrefixLimit`).
    private func boundingSizes(_ messages: [OutboundMessage]) -> [OutboundMessage] {
        let limit = maxMessageBytes
        let deadLetterTopic = deadLetterTopic
        func tooLarge(_ message: OutboundMessage) -> Bool { message.value.count > limit && message.topic != deadLetterTopic }
        guard messages.contains(where: tooLarge) else { return messages }
        return messages.map { message in
            guard tooLarge(message) else { return message }
            onError("\(stage.name): a message of \(message.value.count) bytes for \(message.topic) is over MAX_MESSAGE_BYTES, to dead letters")
            return deadLetter(unpublishable: message,
                              reason: "message of \(message.value.count) bytes for \(message.topic) is larger than MAX_MESSAGE_BYTES (\(limit))")
        }
    }

    /// A dead letter for a message that cannot be published: it has no place yet (-1).
    private func deadLetter(unpublishable message: OutboundMessage, reason: String) -> OutboundMessage {
        message.value.withUnsafeBytes { value in
            DeadLetters.message(for: InvalidMessage(topic: message.topic, partition: -1, offset: -1, key: Array(message.key.utf8),
                                                    reason: reason, value: value),
                                topic: deadLetterTopic)
        }
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
        // A failed delivery that carries answers is sent again at once, wherever it stands: the
        // earlier batches whose holds wait for those answers come first in the commit order.
        for index in inFlight.indices where !inFlight[index].answered.isEmpty && inFlight[index].receipt.hasFailed {
            do {
                try await inFlight[index].receipt.wait()
            } catch {
                if stop.isRequested { throw error }
                try await redeliver(at: index, after: error)
            }
        }
        var committable: CommitCheckpoint?
        var mustWait = mode != .available
        while let first = inFlight.first, mustWait || first.isSettled {
            if mode == .oldest { mustWait = false }
            do {
                try await first.receipt.wait()
            } catch {
                if stop.isRequested { throw error }
                try await redeliver(at: 0, after: error)
                continue
            }
            // Draining or stopping, a batch whose asides are all answered waits for those answers'
            // acknowledgements (they travel with later batches) rather than staying uncommitted.
            if let hold = first.hold, !hold.isReleased {
                guard mode == .all, await hold.waitForAnswers() else { break }
            }
            inFlight.removeFirst()
            committable = first.checkpoint
            counters.batches += 1
            counters.consumed += first.consumed
            counters.produced += first.outputs.count
            var produced = TopicTally()
            var deadLetters = 0
            for message in first.outputs {
                produced.count(message.topic)
                if message.topic == deadLetterTopic { deadLetters += 1 }
            }
            counters.deadLetters += deadLetters
            let producedByTopic = produced.counts
            for (topic, count) in first.consumedByTopic { counters.consumedByTopic[topic, default: 0] += count }
            for (topic, count) in producedByTopic { counters.producedByTopic[topic, default: 0] += count }
            if let metrics {
                let name = stage.name
                metrics.increment(ServiceMetricNames.batches, labels: ["stage": name])
                metrics.increment(ServiceMetricNames.deadLetters, labels: ["stage": name], by: Double(deadLetters))
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
    /// and committed at once rather than at the poll's timeout. Returns the receipt and the
    /// messages it covers: after a permanent error (a message the transport refuses), those
    /// were sent one part at a time and the refused ones replaced with dead letters.
    private func enqueueRetrying(_ messages: [OutboundMessage]) async throws -> (DeliveryReceipt, [OutboundMessage]) {
        var failures = 0
        while true {
            do {
                let receipt = try await producer.enqueue(messages)
                receipt.whenSettled { [consumer] in consumer.wakeUp() }
                return (receipt, messages)
            } catch {
                if stop.isRequested { throw error }
                if error.isPermanentFailure {
                    onError("\(stage.name): cannot enqueue \(messages.count) messages for good, sending them in halves to find the cause: \(error)")
                    return (.acknowledged, try await sendIsolating(messages[...]))
                }
                countRetry()
                onError("\(stage.name): cannot enqueue \(messages.count) messages, retrying: \(error)")
                try await Task.sleep(for: backoff(after: failures))
                failures += 1
            }
        }
    }

    /// Sends `messages` and waits for their acknowledgement, retrying transient errors. A
    /// permanent error halves them until the refused ones are found; each is replaced with a
    /// dead letter (a dead letter refused in turn is logged and given up). Returns what was sent.
    private func sendIsolating(_ messages: ArraySlice<OutboundMessage>) async throws -> [OutboundMessage] {
        var failures = 0
        while !messages.isEmpty {
            do {
                try await producer.send(Array(messages))
                return Array(messages)
            } catch {
                if stop.isRequested { throw error }
                if error.isPermanentFailure {
                    if messages.count == 1, let message = messages.first {
                        if message.topic == deadLetterTopic {
                            onError("\(stage.name): a dead letter of \(message.value.count) bytes was refused, giving it up: \(error)")
                            return []
                        }
                        onError("\(stage.name): a message for \(message.topic) was refused, to dead letters: \(error)")
                        let letter = deadLetter(unpublishable: message, reason: "refused by the transport: \(error)")
                        return try await sendIsolating([letter])
                    }
                    let middle = messages.startIndex + messages.count / 2
                    let first = try await sendIsolating(messages[..<middle])
                    return try await first + sendIsolating(messages[middle...])
                }
                countRetry()
                onError("\(stage.name): cannot send \(messages.count) messages, retrying: \(error)")
                try await Task.sleep(for: backoff(after: failures))
                failures += 1
            }
        }
        return []
    }
}

extension ServiceRunner: RunnableService {
    public nonisolated var serviceName: String { stage.name }
    public func currentCounters() async -> ServiceCounters { counters }
    public nonisolated func declareMetrics(in registry: MetricsRegistry) { stage.declareMetrics(in: registry) }
    public func reportMetrics(to registry: MetricsRegistry) async { await stage.reportMetrics(to: registry) }
}
