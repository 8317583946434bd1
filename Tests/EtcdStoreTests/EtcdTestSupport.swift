import EtcdStore
import Store
import TestSupport
import Testing

/// Runs `body` with an `EtcdBackend` on a fresh real etcd; always closes the backend and stops etcd.
func withEtcd<T>(
    members: Int = 1, extraArguments: [String] = [],
    configure: (inout EtcdConfiguration) -> Void = { _ in },
    _ body: (EtcdCluster, EtcdBackend) async throws -> T
) async throws -> T {
    let cluster = try await EtcdCluster.start(members: members, extraArguments: extraArguments)
    defer { cluster.stop() }
    var configuration = try EtcdConfiguration(storeURL: cluster.storeURL)
    configuration.callTimeout = .seconds(3)
    configure(&configuration)
    let backend = try EtcdBackend(configuration: configuration)
    do {
        let result = try await body(cluster, backend)
        try await backend.close()
        return result
    } catch {
        try? await backend.close()
        throw error
    }
}

/// Whether `error` is a `StoreError` of `kind` whose message contains `fragment`.
func isStoreError(_ error: any Error, _ kind: StoreError.Kind, _ fragment: String = "") -> Bool {
    guard let error = error as? StoreError else { return false }
    return error.kind == kind && (fragment.isEmpty || error.message.contains(fragment))
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
