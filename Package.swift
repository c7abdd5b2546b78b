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
        .target(
            name: "Services",
            dependencies: ["CScoring"],
            path: "Sources/Services"
        ),
        .executableTarget(
            name: "CLI",
            dependencies: [
                "Services",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/CLI"
        ),
        // Counts heap allocations of the benchmark process (malloc interposition).
        .target(name: "CAllocCounter", path: "Benchmarks/CAllocCounter"),
        .executableTarget(
            name: "Bench",
            dependencies: [
                "Services", "CScoring", "CAllocCounter",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/Bench"
        ),
        .testTarget(
            name: "ScoringTests",
            dependencies: ["Services", "CScoring"],
            path: "Tests/ScoringTests",
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "PipelineTests", dependencies: ["Services"], path: "Tests/PipelineTests"),
    ],
    swiftLanguageModes: [.v6]
)
