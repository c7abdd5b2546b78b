import Foundation
import Mongo
import Observability
import Testing
import Transport

/// Two cache instances over four partitions, each killed in turn with SIGKILL mid-batch while
/// questions arrive, and replaced. Chains stay one per question except where its partition of
/// `questions_in` moved to another instance while its chain was in flight: there the new owner,
/// reading the askings that waited for it again, may start one more (the chain was known only to
/// the old owner), never more than one per move that caught it. The moves are read from the
/// instances' own logs ("partitions assigned"), so a rebalance the kills did not cause (a member
/// starved past its session timeout on a loaded machine) is accounted for too, and a chain that
/// no move explains fails the test.
@Suite(.serialized) struct CacheKillCampaignTests {
    /// A move this long after the first decision was stored still counts: the new owner's
    /// storage lookup for the waiting askings may have started before the store's commit.
    /// `stored_at` is read inside the store's transaction, before its writes and its commit,
    /// and on the loaded test server the commit came later than 2 s in a fresh-clone run (a move
    /// 4.1 s after `stored_at` met a result not yet visible and started a second chain).
    static let lookupSlack: Double = 10_000

    @Test(.timeLimit(.minutes(6)))
    func killedCacheInstancesStartAtMostOneExtraChainPerQuestionInFlight() async throws {
        let deployment = try await EndToEndTests.deploy(
            "cachekill", extra: ["TOPIC_PARTITIONS": "4", "BATCH_SIZE": "100", "LLM_LATENCY_MS": "300",
                                 // A lookup that times out sends its misses to the LLM by design: the
                                 // test server, loaded by the whole suite, was seen taking over the
                                 // 2 s default, and those chains would hide the ones a move explains.
                                 "STORAGE_LOOKUP_TIMEOUT_MS": "60000", "FAULT_PAUSE_AFTER_POLL_MS": "50"])
        defer { deployment.mongo.close() }
        var caches: [(ServiceProcess, Int)] = []
        var others: [(ServiceProcess, Int)] = []
        for instance in ["1", "2"] { caches.append(try ScalingTests.start("cache", instance: instance, deployment: deployment)) }
        for name in ["llm", "score", "store"] { others.append(try ScalingTests.start(name, instance: "1", deployment: deployment)) }
        for (process, port) in caches + others {
            #expect(await ScalingTests.waitHealthy(port, process), "\(process.name) not healthy: \(process.output.suffix(2000))")
        }
        // 40 s of traffic: both kills and restarts in turn must find their victim mid-batch
        // while questions arrive, on a machine busy with the whole suite.
        let total = 6000
        let generator = try ServiceProcess.generator(total: total, rate: 150, seed: 11,
            environment: deployment.environment, directory: deployment.directory)

        // Each instance in turn dies holding askings it has not committed; a new one takes its place.
        var kills: [Double] = []
        var instances = caches.map(\.0.name)
        for (round, index) in [0, 1].enumerated() {
            let (victim, port) = caches[index]
            _ = await ScalingTests.killMidBatch(victim, port: port, after: 100)
            kills.append(Date().timeIntervalSince1970 * 1000)
            let replacement = try ScalingTests.start("cache", instance: "\(round + 3)", deployment: deployment)
            #expect(await ScalingTests.waitHealthy(replacement.1, replacement.0), "replacement cache not healthy")
            caches[index] = replacement
            instances.append(replacement.0.name)
        }
        #expect(await generator.waitForExit(timeout: .seconds(120)) == 0, "generator: \(generator.output)")
        let metrics = try #require(try await EndToEndTests.waitForMetrics(deployment, asked: total, timeout: .seconds(240)),
                                   "no metrics document")
        #expect(metrics["asked"]?.int64Value == Int64(total))

        // When each question was first asked, from the generator's log.
        let (_, sends, asked) = try ResultChecks.askedQuestions(in: deployment.directory)
        var firstAsked: [Substring: Double] = [:]
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for line in sends {
            let fields = line.split(separator: ",")
            let sentAt = try #require(iso.date(from: String(fields[4])), "unreadable sent_at in \(line)").timeIntervalSince1970 * 1000
            firstAsked[fields[1]] = min(firstAsked[fields[1]] ?? .infinity, sentAt)
        }

        let database = deployment.mongo.database(deployment.database)
        let results = try await database.find(collection: "results")
        #expect(results.count == asked.count)
        let moves = try Self.moves(of: "questions_in", instances: instances, directory: deployment.directory)
        for instance in instances {
            let log = try String(contentsOf: deployment.directory.appendingPathComponent("\(instance).log"), encoding: .utf8)
            let failed = log.split(separator: "\n").filter { $0.contains("storage lookup of") }
            #expect(failed.isEmpty, "\(instance): \(failed.prefix(3))")
        }
        #expect(moves.values.contains { !$0.isEmpty }, "no partition of questions_in moved after the kills")
        var chains = 0, extra = 0, inFlightAtMoves = 0
        for result in results {
            let id = try #require(result["_id"]?.stringValue)
            let served = result["served"]
            let started = Int((served?["score"]?.int64Value ?? 0) + (served?["failed"]?.int64Value ?? 0))
            chains += started
            guard case .date(let storedAt) = result["stored_at"], let asked = firstAsked[Substring(id)] else {
                Issue.record("result \(id) without stored_at or never asked")
                continue
            }
            // The moves of its partition that caught this question's first chain in flight
            // (asked, not yet stored).
            let partition = KeyPartitioner.partition(forKey: id, partitions: 4)
            let caught = (moves[partition] ?? []).filter { asked <= $0 && $0 <= Double(storedAt) + Self.lookupSlack }.count
            inFlightAtMoves += caught
            #expect(started >= 1, "\(id): no chain started")
            let why = "\(id): \(started) chains, \(caught) moves caught it in flight (partition \(partition), "
                + "first asked \(asked), stored \(storedAt), kills \(kills), moves of its partition \(moves[partition] ?? []))"
            #expect(started - 1 <= caught, "\(why)")
            extra += max(0, started - 1)
        }
        // The metrics document counts the same chains (each chain's first asking is answered by it).
        let bySource = metrics["by_source"]
        #expect(Int((bySource?["score"]?.int64Value ?? 0) + (bySource?["failed"]?.int64Value ?? 0)) == chains)
        print("cache kill campaign: \(asked.count) questions, \(chains) chains, \(extra) extra after \(kills.count) kills "
            + "and \(moves.values.map(\.count).reduce(0, +)) partition moves (chains a move caught in flight: \(inFlightAtMoves))")
        #expect(extra <= inFlightAtMoves)
        try await ResultChecks.expectMetricsMatchResults(database, asked: total, directory: deployment.directory)
        for (process, _) in caches + others { _ = await process.stop() }
        try await database.dropDatabase()
    }

    /// When each partition of `topic` changed hands, in milliseconds since the epoch, from the
    /// "partitions assigned" lines of the instances' logs: an assignment to an instance other
    /// than the one the partition was last assigned to (under the eager protocol every rebalance
    /// assigns again what a member keeps; that is not a move). The first assignment is not one.
    static func moves(of topic: String, instances: [String], directory: URL) throws -> [Int: [Double]] {
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var assignments: [(at: Double, instance: String, partition: Int)] = []
        for instance in instances {
            let log = try String(contentsOf: directory.appendingPathComponent("\(instance).log"), encoding: .utf8)
            for line in log.split(separator: "\n") where line.contains("partitions assigned: ") {
                guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let ts = object["ts"] as? String, let at = iso.date(from: ts),
                      let message = object["message"] as? String else {
                    Issue.record("unreadable log line of \(instance): \(line)")
                    continue
                }
                let list = message.dropFirst("partitions assigned: ".count).split(separator: ", ")
                for entry in list {
                    // Topic names carry the deployment's prefix: "<prefix>_questions_in[2]".
                    guard let open = entry.lastIndex(of: "["), entry[..<open] == topic || entry[..<open].hasSuffix("_\(topic)")
                    else { continue }
                    guard let partition = Int(entry[entry.index(after: open)...].dropLast()) else {
                        Issue.record("unreadable partition \(entry) in \(instance)'s log")
                        continue
                    }
                    assignments.append((at.timeIntervalSince1970 * 1000, instance, partition))
                }
            }
        }
        var holder: [Int: String] = [:]
        var moves: [Int: [Double]] = [:]
        for assignment in assignments.sorted(by: { $0.at < $1.at }) {
            if let previous = holder[assignment.partition], previous != assignment.instance {
                moves[assignment.partition, default: []].append(assignment.at)
            }
            holder[assignment.partition] = assignment.instance
        }
        return moves
    }
}
