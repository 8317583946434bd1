// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way (see ../shared/STYLE.md):
// TLS, HTTP2 -> RPC -> EtcdStore; Models -> Store -> EtcdStore; executables wire everything.
let package = Package(
    name: "bbs",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bbs", targets: ["bbs"]),
        .executable(name: "bbsctl", targets: ["bbsctl"]),
        .executable(name: "rpc-interop-server", targets: ["rpc-interop-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // MARK: - C libraries (each imported by exactly one wrapper module)
        .systemLibrary(
            name: "CNGHTTP2", pkgConfig: "libnghttp2",
            providers: [.apt(["libnghttp2-dev"])]),
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),

        // MARK: - Transport
        .target(
            name: "TLS",
            dependencies: ["COpenSSL", .product(name: "NIOCore", package: "swift-nio")]),
        .target(
            name: "HTTP2",
            dependencies: ["CNGHTTP2", .product(name: "NIOCore", package: "swift-nio")]),
        .target(
            name: "RPC",
            dependencies: [
                "TLS", "HTTP2", "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // MARK: - Data
        .target(
            name: "Models",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .target(name: "Encryption", dependencies: ["COpenSSL"]),
        .target(
            name: "Store",
            dependencies: [
                "Models", "Encryption", "CSQLite",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "EtcdStore",
            dependencies: ["Store", "RPC", .product(name: "SwiftProtobuf", package: "swift-protobuf")]),

        // MARK: - Conformance
        .target(name: "Interop", dependencies: ["RPC", .product(name: "SwiftProtobuf", package: "swift-protobuf")]),

        // MARK: - Executables
        .executableTarget(name: "bbs", dependencies: ["BBSServer"]),
        .executableTarget(
            name: "rpc-interop-server",
            dependencies: ["RPC", "Interop", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // The migration benchmark, run by hand (see bench/migration/main.swift).
        .executableTarget(
            name: "bench-migration", dependencies: ["Store", "EtcdStore", "Encryption", "TestSupport"],
            path: "bench/migration"),

        .executableTarget(
            name: "rpc-bench-server",
            dependencies: [
                "RPC",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "bench/rpc-server"),

        // MARK: - Tests
        .target(
            name: "TestSupport", dependencies: ["Store", "Models"], path: "Tests/TestSupport"),
        .testTarget(
            name: "TLSTests",
            dependencies: [
                "TLS", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]),
        .testTarget(
            name: "HTTP2Tests",
            dependencies: [
                "HTTP2",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(
            name: "RPCTests",
            dependencies: [
                "RPC", "Interop", "TestSupport", "HTTP2", "TLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        .testTarget(
            name: "ModelsTests",
            dependencies: ["Models", .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .testTarget(
            name: "StoreTests",
            dependencies: [
                "Store", "Models", "Encryption", "TestSupport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "EtcdStoreTests",
            dependencies: [
                "EtcdStore", "Store", "RPC", "TestSupport", .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "Store", "EtcdStore", "Models", "RPC", "TestSupport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),

        // MARK: - The BBS (services, server, CLI)
        .target(
            name: "Services",
            dependencies: [
                "RPC", "Store", "Models",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "bbsctl",
            dependencies: [
                "RPC", "Services", "Models",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        .testTarget(name: "ServicesTests", dependencies: ["Services", "Store", "Models", "RPC", "TestSupport"]),
        // The composition root as a library, so that `bbs` and the fault-injection binary of the tests run
        // the same wiring (test switches stay out of the shipped binary).
        .target(
            name: "BBSServer",
            dependencies: [
                "RPC", "Services", "Store", "EtcdStore", "Models", "Encryption",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),
        // The tests' build of bbs: the same wiring with test-only migrations (no test switches in bbs).
        .executableTarget(
            name: "bbs-fault-injection", dependencies: ["BBSServer", "Store"], path: "Tests/bbs-fault-injection"),
        .testTarget(
            name: "BBSServerTests",
            dependencies: [
                "BBSServer", "Services", "Store", "RPC", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
    ]
)
