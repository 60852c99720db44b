// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "callscope",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "callscope", targets: ["callscope"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // C at the edge: libedit, Lua, and small C helpers.
        .systemLibrary(name: "CEditLine", path: "Sources/CEditLine", pkgConfig: "libedit",
                       providers: [.apt(["libedit-dev"])]),
        .target(name: "CSystem", path: "Sources/CSystem"),

        // Pure modules.
        .target(name: "JSONText"),
        .target(name: "TextSupport"),
        .target(name: "Shell", dependencies: ["JSONText", "TextSupport"]),
        .target(name: "Adapters", dependencies: ["TextSupport", "JSONText"]),
        .target(name: "Wire"),
        .target(name: "Signing", dependencies: ["Adapters", "JSONText", "Wire", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Inspect", dependencies: ["Adapters", "JSONText", "TextSupport"]),
        // The use-cases: session-free, callable from any thread.
        .target(name: "Workbench", dependencies: ["Adapters", "Signing", "Inspect", "Wire", "JSONText", "TextSupport"]),

        // Edge modules.
        .target(name: "LineEditor", dependencies: ["CEditLine", "CSystem", "Shell", "TextSupport"]),
        .systemLibrary(name: "CLua", path: "Sources/CLua", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
        .target(name: "CLuaShim", dependencies: ["CLua"], path: "Sources/CLuaShim"),
        .target(name: "LuaHost", dependencies: ["CLuaShim", "CLua", "Adapters", "Signing", "Wire", "JSONText"]),

        .target(name: "Commands", dependencies: ["Shell", "JSONText", "Adapters", "LuaHost", "TextSupport", "Inspect", "Signing", "Wire", "Workbench"]),
        .target(name: "CLI", dependencies: ["Commands", "Shell", "LineEditor", "CSystem", "LuaHost"]),
        .executableTarget(name: "callscope", dependencies: ["CLI"]),

        .target(name: "TestSupport", dependencies: ["Adapters", "Signing", "Wire"], path: "Tests/TestSupport"),
        .testTarget(name: "JSONTextTests", dependencies: ["JSONText"]),
        .testTarget(name: "SigningTests", dependencies: ["Signing", "Adapters", "TestSupport"]),
        .testTarget(name: "WorkbenchTests", dependencies: ["Workbench", "Signing", "Adapters", "Wire", "TestSupport"]),
        .testTarget(name: "ShellTests", dependencies: ["Shell", "Commands", "CLI", "TextSupport"]),
        .testTarget(name: "PluginTests", dependencies: ["LuaHost", "Adapters", "Signing", "Commands", "Shell", "Workbench", "Wire"]),
        .testTarget(name: "InspectTests", dependencies: ["Inspect", "Adapters", "LuaHost", "JSONText", "Wire"]),
        .testTarget(name: "EndToEndTests", dependencies: ["callscope", "CSystem"]),
    ]
)
