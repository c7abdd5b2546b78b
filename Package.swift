// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Veredicto",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "veredicto", targets: ["CLI"]),
        .executable(name: "bench", targets: ["Bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        // HMAC-SHA256 of the optional message signatures (PIPELINE_SIGNING_KEY).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C performance core: tokenizer, TF-IDF vectorizer, cosine; SIMD kernels chosen at run time.
        .target(
            name: "CScoring",
            path: "Sources/CScoring",
            cSettings: [
                .unsafeFlags(["-O3", "-fno-math-errno", "-Wall", "-Wextra", "-Werror=implicit-function-declaration"]),
            ],
            linkerSettings: [.linkedLibrary("zstd"), .linkedLibrary("m")]
        ),
        // libmongoc/libbson (MongoDB driver) from the system, and the few C helpers Swift needs
        // around it (libbson's over-aligned structs cannot be Swift values).
        .systemLibrary(
            name: "CMongoC",
            path: "Sources/CMongoC",
            pkgConfig: "libmongoc-1.0",
            providers: [.apt(["libmongoc-dev"]), .brew(["mongo-c-driver"])]
        ),
        .target(name: "CMongoShim", dependencies: ["CMongoC"], path: "Sources/CMongoShim"),
        // librdkafka from the system (Debian/Ubuntu: librdkafka-dev).
        .systemLibrary(
            name: "CRdKafka",
            path: "Sources/CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"]), .brew(["librdkafka"])]
        ),
        // The Swift layers, bottom-up (docs/architecture.md): each target may import only the
        // ones listed as its dependencies, so a stage that reached for Kafka or MongoDB would
        // not build.
        //
        // Model types, messages and their JSON codec, small support types.
        .target(name: "VeredictoCore", path: "Sources/Services/Core"),
        // Metrics registry, latency histograms, JSON logs, charts, the metrics HTTP server.
        .target(name: "Observability",
                dependencies: ["VeredictoCore",
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "Histogram", package: "hdrhistogram-swift")],
                path: "Sources/Services/Observability"),
        // Yahoo! Answers CSV files and synthetic text.
        .target(name: "Dataset", dependencies: ["VeredictoCore"], path: "Sources/Services/Dataset"),
        // The Swift face of the C scoring core.
        .target(name: "Scoring", dependencies: ["CScoring", "VeredictoCore"], path: "Sources/Services/Scoring"),
        // The transport seam: stage protocol, runner, dead letters, the in-memory bus.
        .target(name: "Transport", dependencies: ["VeredictoCore", "Observability"],
                path: "Sources/Services/Transport"),
        // Results and the metrics document as the store keeps them; the in-memory store.
        .target(name: "Storage", dependencies: ["VeredictoCore"], path: "Sources/Services/Storage"),
        // The answer cache (LRU, LFU, FIFO, TTL).
        .target(name: "Cache", dependencies: ["VeredictoCore"], path: "Sources/Services/Cache"),
        // LLM backends (offline model, OpenAI-compatible HTTP) and their retry policies.
        .target(name: "LLM",
                dependencies: ["VeredictoCore", .product(name: "Logging", package: "swift-log")],
                path: "Sources/Services/LLM"),
        // librdkafka: every rd_kafka_ call lives in Kafka/RDKafka; the Kafka transport.
        .target(name: "Kafka",
                dependencies: ["CRdKafka", "VeredictoCore", "Observability", "Transport",
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "Crypto", package: "swift-crypto")],
                path: "Sources/Services/Kafka"),
        // libmongoc/libbson: every mongoc_/bson_ call lives in Mongo/Mongoc; the MongoDB store.
        .target(name: "Mongo", dependencies: ["CMongoC", "CMongoShim", "VeredictoCore", "Storage"],
                path: "Sources/Services/Mongo"),
        // The pipeline stages: cache, llm, llm_errors retry, score, store. No Kafka, no MongoDB.
        .target(name: "Stages",
                dependencies: ["VeredictoCore", "Observability", "Transport", "Storage", "Scoring", "Cache", "LLM"],
                path: "Sources/Services/Stages"),
        // The question generator: arrival processes, popularity, the traffic log.
        .target(name: "Generator",
                dependencies: ["VeredictoCore", "Observability", "Transport", "Dataset"],
                path: "Sources/Services/Generator"),
        // Settings, the backend factory, the run driver, experiments and reports, service metrics.
        .target(name: "Runtime",
                dependencies: ["VeredictoCore", "Observability", "Dataset", "Scoring", "Transport", "Storage",
                               "Cache", "LLM", "Kafka", "Mongo", "Stages", "Generator",
                               .product(name: "Logging", package: "swift-log")],
                path: "Sources/Services/Runtime"),
        .executableTarget(
            name: "CLI",
            dependencies: [
                "VeredictoCore", "Observability", "Dataset", "Scoring", "Transport", "Storage", "Cache", "LLM", "Kafka", "Mongo", "Stages", "Generator", "Runtime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/CLI",
            // jemalloc serves the services' many short-lived message buffers, mostly freed on
            // another thread than the one that allocated them, with less work than glibc's
            // malloc: 117-123k instead of 87-91k questions/s for `veredicto run` over 1M
            // synthetic questions (docs/benchmarks.md).
            linkerSettings: [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]
        ),
        // Counts heap allocations of the benchmark process (malloc interposition over jemalloc,
        // the allocator the veredicto binary links).
        .target(name: "CAllocCounter", path: "Benchmarks/CAllocCounter",
                linkerSettings: [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]),
        .executableTarget(
            name: "Bench",
            dependencies: [
                "VeredictoCore", "Observability", "Dataset", "Scoring", "Transport", "Storage", "Cache", "LLM", "Kafka", "Mongo", "Stages", "Generator", "Runtime", "CScoring", "CAllocCounter",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Bench"
        ),
        // What every test target shares: the test broker and server (VEREDICTO_TEST_KAFKA,
        // VEREDICTO_TEST_MONGO from scripts/test-env.sh) and the built `veredicto` executable.
        .target(name: "TestSupport", dependencies: ["Kafka", "Mongo", "Observability", "VeredictoCore", .product(name: "Logging", package: "swift-log")],
                path: "Tests/TestSupport"),
        // The wire messages, the JSON codec, timestamps and the result types.
        .testTarget(
            name: "CoreTests",
            dependencies: ["VeredictoCore", "Observability", "Transport", "Storage", "LLM", "Generator"],
            path: "Tests/CoreTests"
        ),
        // The tokenizer, the SIMD kernels and scikit-learn parity.
        .testTarget(
            name: "ScoringTests",
            dependencies: ["VeredictoCore", "Scoring", "CScoring"],
            path: "Tests/ScoringTests",
            resources: [.copy("Fixtures")]
        ),
        // The in-memory bus, the shared producer and the runner's record ids.
        .testTarget(
            name: "TransportTests",
            dependencies: ["VeredictoCore", "Transport", "Stages"],
            path: "Tests/TransportTests"
        ),
        // The cache, the LLM backends and the score stage.
        .testTarget(
            name: "StagesTests",
            dependencies: ["VeredictoCore", "Observability", "Dataset", "Scoring", "Transport", "Storage", "Cache", "LLM", "Stages", .product(name: "Logging", package: "swift-log")],
            path: "Tests/StagesTests"
        ),
        // The embedded pipeline, the generator, settings, metrics, experiments and the report.
        .testTarget(
            name: "RuntimeTests",
            dependencies: ["VeredictoCore", "Observability", "Dataset", "Transport", "Storage", "Cache", "LLM", "Generator", "Runtime", "TestSupport"],
            path: "Tests/RuntimeTests"
        ),
        // The `veredicto` executable run as a user runs it.
        .testTarget(
            name: "CLITests",
            dependencies: ["TestSupport"],
            path: "Tests/CLITests"
        ),
        // The librdkafka layer against the test broker.
        .testTarget(
            name: "KafkaTests",
            dependencies: ["VeredictoCore", "Kafka", "Transport", "Stages", "TestSupport", .product(name: "Logging", package: "swift-log")],
            path: "Tests/KafkaTests"
        ),
        // The libmongoc layer against the test MongoDB-protocol server.
        .testTarget(
            name: "MongoTests",
            dependencies: ["Scoring", "Mongo", "CMongoC", "TestSupport"],
            path: "Tests/MongoTests"
        ),
        // The services as processes over the test broker and server: end to end, crashes, scaling.
        .testTarget(
            name: "ServiceProcessTests",
            dependencies: ["VeredictoCore", "Observability", "Dataset", "Transport", "Storage", "Cache", "LLM", "Kafka", "Mongo", "Stages", "Runtime", "TestSupport", .product(name: "Logging", package: "swift-log")],
            path: "Tests/ServiceProcessTests"
        ),
        // docs/architecture.md against this file, and where the C libraries may be called.
        .testTarget(
            name: "ArchitectureTests",
            path: "Tests/ArchitectureTests"
        ),
        // The deployment files (compose, Dockerfile) checked without a Docker engine.
        .testTarget(
            name: "DeploymentTests",
            dependencies: ["TestSupport"],
            path: "Tests/DeploymentTests"
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Release builds optimize across the Swift modules: the runner (Transport) is generic over the
// stages (Stages) and is instantiated in Runtime, and without this its code runs unspecialized.
// Measured: 2.5 % less CPU per asking (median; better in 8 of 9 alternated runs of
// `veredicto run --synthetic 20000`) for about 15 s more release build (docs/benchmarks.md).
for target in package.targets where ["VeredictoCore", "Observability", "Dataset", "Scoring", "Transport", "Storage", "Cache",
                                     "LLM", "Kafka", "Mongo", "Stages", "Generator", "Runtime"].contains(target.name) {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
    ]
}
