// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "callscope",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "callscope", targets: ["callscope"]),
        // For the fuzz targets in fuzz/ (a package of their own, built with -sanitize=fuzzer).
        .library(name: "CallscopeParsers", targets: ["JSONText", "Wire", "Shell", "Adapters", "LuaHost", "Inspect", "Workbench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // The servers' graceful shutdown (ServerQuiescingHelper); already there for AsyncHTTPClient.
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
    ],
    targets: [
        // C at the edge: libedit, Lua, and small C helpers.
        // libedit's header only: the library is opened when the line editor starts (see shim.h).
        .systemLibrary(name: "CEditLine", path: "Sources/CEditLine", providers: [.apt(["libedit-dev"])]),
        .target(name: "CTerminal", path: "Sources/CTerminal"),
        .target(name: "CByteScan", path: "Sources/CByteScan"),

        // Pure modules.
        .target(name: "JSONText", dependencies: ["CByteScan"]),
        .target(name: "TextSupport"),
        .target(name: "Shell", dependencies: ["JSONText", "TextSupport"]),
        .target(name: "Adapters", dependencies: ["TextSupport", "JSONText"]),
        .target(name: "Wire"),
        .target(name: "Signing", dependencies: ["Adapters", "JSONText", "Wire", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Inspect", dependencies: ["Adapters", "JSONText", "TextSupport"]),
        // The use-cases: session-free, callable from any thread.
        .target(name: "Workbench", dependencies: ["Adapters", "Signing", "Inspect", "Wire", "JSONText", "TextSupport"]),

        // Edge modules.
        .target(name: "LineEditor", dependencies: ["CEditLine", "CTerminal", "Shell", "TextSupport"]),
        .systemLibrary(name: "CLua", path: "Sources/CLua", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
        .target(name: "CLuaShim", dependencies: ["CLua"], path: "Sources/CLuaShim"),
        .target(name: "LuaHost", dependencies: ["CLuaShim", "CLua", "Adapters", "Signing", "Wire", "JSONText"]),

        // The network edge: the HTTP client behind Workbench's Transport.
        .target(name: "Net", dependencies: ["Wire", "Workbench",
                                            .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                                            .product(name: "NIOSSL", package: "swift-nio-ssl"),
                                            .product(name: "NIOPosix", package: "swift-nio"),
                                            .product(name: "NIOExtras", package: "swift-nio-extras")]),
        // The durable capture store (SQLite through SQLiteNIO), behind Workbench's CaptureStore.
        .target(name: "Captures", dependencies: ["Workbench", "Adapters", "Wire", .product(name: "SQLiteNIO", package: "sqlite-nio"),
                                               .product(name: "NIOPosix", package: "swift-nio")]),
        // config.toml profiles (read by a child process; see TOMLReader).
        .target(name: "Config", dependencies: ["Adapters", "JSONText"]),
        .target(name: "Commands", dependencies: ["Shell", "JSONText", "Adapters", "LuaHost", "TextSupport", "Inspect", "Signing", "Wire", "Workbench", "Config"]),
        .target(name: "CLI", dependencies: ["Commands", "Shell", "LineEditor", "CTerminal", "LuaHost", "Net", "Captures", "TextSupport"]),
        .executableTarget(name: "callscope", dependencies: ["CLI"],
                          // lld, not position-independent, no exported symbols: a PIE has every pointer in
                          // Swift's metadata relocated at each start (hundreds of copied pages, ~2 ms), and
                          // the exported table made the runtime's start-up dladdr scan 41,000 symbols
                          // (bench/RESULTS.md). Shared libraries, heap and stack are still randomised.
                          linkerSettings: [.unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-pie", "-Xlinker", "--no-export-dynamic"], .when(platforms: [.linux]))]),

        .target(name: "TestSupport", dependencies: ["Adapters", "Signing", "Wire",
                                                    .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                                                    .product(name: "NIOHTTP1", package: "swift-nio"),
                                                    .product(name: "NIOConcurrencyHelpers", package: "swift-nio")], path: "Tests/TestSupport"),
        .testTarget(name: "JSONTextTests", dependencies: ["JSONText"]),
        .testTarget(name: "NetTests", dependencies: ["Net", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "SigningTests", dependencies: ["Signing", "Adapters", "TestSupport"]),
        .testTarget(name: "WorkbenchTests", dependencies: ["Workbench", "Captures", "Signing", "Adapters", "Wire", "TestSupport",
                                                        .product(name: "SQLiteNIO", package: "sqlite-nio")]),
        .testTarget(name: "ShellTests", dependencies: ["Shell", "Commands", "CLI", "TextSupport"]),
        .testTarget(name: "PluginTests", dependencies: ["LuaHost", "Adapters", "Signing", "Commands", "Shell", "Workbench", "Wire"]),
        .testTarget(name: "InspectTests", dependencies: ["Inspect", "Adapters", "LuaHost", "JSONText", "Wire"]),
        .testTarget(name: "EndToEndTests", dependencies: ["callscope", "CTerminal", "TestSupport",
                                                      .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                                      .product(name: "Crypto", package: "swift-crypto")], exclude: ["Snapshots"]),
    ]
)
