import Foundation
import Testing
import TestSupport

/// Runs the built `veredicto` executable as a user would.
@Suite struct CLITests {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static var executable: URL { VeredictoExecutable.url }
    static var packageRoot: URL { VeredictoExecutable.packageRoot }

    static func run(_ arguments: [String], stdin: String? = nil) async throws -> Run {
        let outcome = try await ChildProcess.run(executable, arguments, stdin: stdin)
        return Run(status: outcome.status, stdout: outcome.stdout, stderr: outcome.stderr)
    }

    static let input = """
        {"reference": "The cat sat on the mat", "answer": "A cat sat on a mat", "id": "q1"}
        {"reference": "broken line", "answer":
        {"reference": "Café au lait", "answer": "CAFÉ au lait, s'il vous plaît"}

        {"answer": "no reference"}

        """

    @Test func scoresAndStopsAtTheFirstMalformedLine() async throws {
        let result = try await Self.run(["score"], stdin: Self.input)
        #expect(result.status == 1)
        #expect(result.stdout == "{\"line\":1,\"id\":\"q1\",\"score\":0.5797386715376657}\n")
        #expect(result.stderr.contains("line 2: invalid JSON"))
    }

    @Test func skipInvalidReportsEachBadLineAndGoesOn() async throws {
        let result = try await Self.run(["score", "--skip-invalid", "-"], stdin: Self.input)
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[1].hasPrefix("{\"line\":3,\"score\":"))
        #expect(result.stderr.contains("line 2: invalid JSON"))
        #expect(result.stderr.contains("line 5: missing \"reference\""))
        #expect(result.stderr.contains("skipped 2 invalid lines"))
    }

    @Test func buildsACorpusModelAndScoresWithIt() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("veredicto-cli-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("sample.idf").path
        let sample = Self.packageRoot.appendingPathComponent("data/sample/yahoo_sample.csv").path
        let build = try await Self.run(["idf", "build", "--dataset", sample, "--out", model])
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stdout.contains("answers"))
        let info = try await Self.run(["idf", "info", model, "--terms", "the"])
        #expect(info.stdout.contains("df "))
        let pairs = (0..<3000).map { i in "{\"reference\": \"water boils at \(i) degrees\", \"answer\": \"it boils at \(i)\"}" }
        let scored = try await Self.run(["score", "--model", model, "--threads", "2"], stdin: pairs.joined(separator: "\n"))
        #expect(scored.status == 0, "\(scored.stderr)")
        let lines = scored.stdout.split(separator: "\n")
        #expect(lines.count == 3000)
        // Output keeps input order across worker threads.
        for (index, line) in lines.enumerated() where index % 500 == 0 {
            #expect(line.hasPrefix("{\"line\":\(index + 1),\"score\":0."))
        }
    }

    @Test func badArgumentsAreOneLineErrors() async throws {
        let threads = try await Self.run(["score", "--threads", "0"])
        #expect(threads.status == 64)
        #expect(threads.stderr.hasPrefix("Error: --threads must be from 1 to 256, got 0\n"))
        let corpus = try await Self.run(["score", "--idf", "corpus"])
        #expect(corpus.stderr.hasPrefix("Error: --idf corpus needs --model MODEL"))
        let missing = try await Self.run(["idf", "build", "--dataset", "/nonexistent.csv", "--out", "/tmp/x.idf"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("cannot open dataset /nonexistent.csv"))
        let model = try await Self.run(["score", "--model", "/nonexistent.idf"], stdin: "")
        #expect(model.stderr.contains("cannot load IDF model /nonexistent.idf"))
    }
}
