// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Veredicto",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "veredicto", targets: ["CLI"]),
        .executable(name: "bench", targets: ["Bench"]),
        .library(name: "Services", targets: ["Services"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
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
        .target(
            name: "Services",
            dependencies: [
                "CScoring",
                "CRdKafka",
                "CMongoC",
                "CMongoShim",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Sources/Services"
        ),
        .executableTarget(
            name: "CLI",
            dependencies: [
                "Services",
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
                "Services", "CScoring", "CAllocCounter",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Bench"
        ),
        .testTarget(
            name: "ScoringTests",
            dependencies: ["Services", "CScoring"],
            path: "Tests/ScoringTests",
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "PipelineTests",
            dependencies: ["Services"],
            path: "Tests/PipelineTests"
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: ["Services"],
            path: "Tests/StorageTests"
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["Services"],
            path: "Tests/IntegrationTests"
        ),
        // The deployment files (compose, Dockerfile) checked without a Docker engine.
        .testTarget(
            name: "DeploymentTests",
            path: "Tests/DeploymentTests"
        ),
        .testTarget(
            name: "MessagingTests",
            dependencies: ["Services"],
            path: "Tests/MessagingTests"
        ),
    ],
    swiftLanguageModes: [.v6]
)
