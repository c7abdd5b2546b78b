import Foundation
import Testing

@testable import Dataset
@testable import Generator
@testable import LLM
@testable import Runtime
@testable import Storage
@testable import VeredictoCore

extension EmbeddedCommandTests {
    /// An embedded run's results and metrics document account for exactly the tokens the LLM
    /// service counted, through regenerations, errors re-issued from `llm_errors` and chains
    /// that end failed.
    @Suite struct RunTokensTests {
        @Test(.timeLimit(.minutes(5)))
        func theMetricsDocumentsTokensAreTheLLMServicesTotals() async throws {
            let questions = try EmbeddedPipelineTests.sampleQuestions()
            var settings = PipelineSettings()
            settings.llm.overloadRate = 0.3   // errors go to llm_errors at once and are re-issued
            settings.llm.retry = RetryPolicy(maxRetries: 0, backoffBase: .milliseconds(1), backoffCap: .milliseconds(2))
            settings.llmErrorRetries = 2       // and some chains end failed
            let prices = LLMPrices(promptPer1K: 0.25, completionPer1K: 2)
            settings.llm.prices = prices
            let total = 600
            var run = PipelineRun(settings: settings, questions: questions, arrival: .constant(rate: 0),
                                  popularity: try Popularity.zipf(count: questions.count, exponent: 1.1), total: total)
            run.seed = 5
            let outcome = try await run.collect()
            let report = outcome.report
            #expect(report.completed)
            let llm = report.llm
            #expect(llm.callsMade > llm.minimumCalls, "errors were re-issued: \(llm)")
            #expect(report.metrics.regenerations > 0)
            #expect(llm.promptTokens > 0 && llm.completionTokens > 0 && llm.tokensEstimated)

            // The metrics document: the LLM service's totals, exactly.
            let metrics = report.metrics
            #expect(metrics.usage.promptTokens == llm.promptTokens)
            #expect(metrics.usage.completionTokens == llm.completionTokens)
            #expect(metrics.usage.estimated == llm.tokensEstimated)
            // Only decisions of chains carry tokens.
            for result in outcome.results where result.served[.score, default: 0] + result.served[.failed, default: 0] == 0 {
                #expect(result.usage == .zero, "\(result.decision.questionID)")
            }

            // metrics.json and results.jsonl, through the writers the MongoDB documents use.
            let directory = NSTemporaryDirectory() + "veredicto-tokens-\(UInt64.random(in: 0...UInt64.max))"
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try RunFiles.write(outcome, settings: ["threshold": 0.65], prices: prices, to: directory)
            let file = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/metrics.json")))
            let document = try #require((file as? [String: Any])?["metrics"] as? [String: Any])
            #expect(document["prompt_tokens"] as? Int == llm.promptTokens)
            #expect(document["completion_tokens"] as? Int == llm.completionTokens)
            #expect(document["tokens_estimated"] as? Bool == true)
            let cost = try #require(document["cost"] as? Double)
            #expect(abs(cost - llm.cost) < 1e-9 * max(1, cost))
            var prompt = 0, completion = 0, costs = 0.0
            for line in try String(contentsOfFile: directory + "/results.jsonl", encoding: .utf8).split(separator: "\n") {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                prompt += try #require(object["prompt_tokens"] as? Int)
                completion += try #require(object["completion_tokens"] as? Int)
                costs += try #require(object["cost"] as? Double)
            }
            #expect(prompt == llm.promptTokens && completion == llm.completionTokens)
            #expect(abs(costs - cost) < 1e-9 * max(1, cost))
        }
    }
}
