// swift-tools-version:6.1
// Coverage-guided fuzz targets (libFuzzer). Not part of the product build: scripts/fuzz builds
// them with -sanitize=fuzzer,address -parse-as-library and runs each for a bounded time.
import PackageDescription

let core = Target.Dependency.product(name: "CallscopeParsers", package: "callscope")
let support = Target.Dependency.target(name: "FuzzSupport")

let package = Package(
    name: "callscope-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "callscope", path: "..")],
    targets: [
        .target(name: "FuzzSupport"),
        .executableTarget(name: "fuzz-json", dependencies: [core, support]),
        .executableTarget(name: "fuzz-http", dependencies: [core, support]),
        .executableTarget(name: "fuzz-shell", dependencies: [core, support]),
        .executableTarget(name: "fuzz-cache", dependencies: [core, support]),
        .executableTarget(name: "fuzz-documents", dependencies: [core, support]),
    ]
)
