// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "callscope",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "callscope", targets: ["callscope"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C at the edge: libedit, Lua, and small C helpers.
        .systemLibrary(name: "CEditLine", path: "Sources/CEditLine", pkgConfig: "libedit",
                       providers: [.apt(["libedit-dev"])]),
        .target(name: "CSystem", path: "Sources/CSystem"),

        // Pure modules.
        .target(name: "JSONText"),
        .target(name: "Shell", dependencies: ["JSONText"]),

        // Edge modules.
        .target(name: "LineEditor", dependencies: ["CEditLine", "CSystem", "Shell"]),

        .target(name: "Commands", dependencies: ["Shell", "JSONText"]),
        .target(name: "CLI", dependencies: ["Commands", "Shell", "LineEditor", "CSystem"]),
        .executableTarget(name: "callscope", dependencies: ["CLI"]),

        .testTarget(name: "JSONTextTests", dependencies: ["JSONText"]),
        .testTarget(name: "ShellTests", dependencies: ["Shell", "Commands", "CLI"]),
        .testTarget(name: "EndToEndTests", dependencies: ["callscope", "CSystem"]),
    ]
)
