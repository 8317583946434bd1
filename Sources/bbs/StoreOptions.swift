import ArgumentParser
import Encryption
import EtcdStore
import Foundation
import Store

/// The options every subcommand shares: where the store is, the encryption keys, and test-only switches.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The store: sqlite:PATH or etcd:URL[,URL...].")
    var store: String

    @Option(
        name: .customLong("encryption-key"),
        help: "An encryption key LABEL:PASSPHRASE (repeatable). With keys, records are written encrypted (\"02\").")
    var encryptionKeys: [String] = []

    @Option(name: .customLong("active-key-label"), help: "The label of the key that encrypts new records.")
    var activeKeyLabel: String?

    @Option(name: .customLong("etcd-ca-file"), help: "CA of the etcd members (https endpoints).")
    var etcdCAFile: String?
    @Option(name: .customLong("etcd-cert-file"), help: "Client certificate for etcd (https endpoints).")
    var etcdCertFile: String?
    @Option(name: .customLong("etcd-key-file"), help: "Client key for etcd (https endpoints).")
    var etcdKeyFile: String?

    // Test-only: act as the release of an older data version (its migrations are a prefix of ours).
    @Option(name: .customLong("testing-data-version"), help: ArgumentHelp(visibility: .private))
    var testingDataVersion: Int?

    // Test-only: make the newest migration's up throw on the record group containing this relative key.
    @Option(name: .customLong("testing-fail-migration-at"), help: ArgumentHelp(visibility: .private))
    var testingFailMigrationAt: String?

    /// The data version this process acts as.
    var dataVersion: Int { testingDataVersion ?? BBSDataVersion }

    /// The shipped migrations up to `dataVersion` (and the test failure when asked).
    func migrator(for backend: OpenedStore) throws -> Migrator {
        let shipped = Migrator.shipped()
        guard shipped.newestVersion >= dataVersion, dataVersion >= Migrator.baseVersion else {
            throw ValidationError("this release knows data versions 1 to \(shipped.newestVersion), not \(dataVersion)")
        }
        var migrator = Migrator()
        for migration in shipped.migrations where migration.version <= dataVersion {
            if let key = testingFailMigrationAt, migration.version == dataVersion {
                migrator.registerMigration(FailingMigration(wrapped: migration, failingKey: key))
            } else {
                migrator.registerMigration(migration)
            }
        }
        migrator.batchSize = backend.batchSize
        return migrator
    }

    /// The codec records are written with.
    func codec() throws -> RecordCodec {
        guard !encryptionKeys.isEmpty else {
            if activeKeyLabel != nil { throw ValidationError("--active-key-label needs at least one --encryption-key") }
            return RecordCodec()
        }
        var passphrases: [String: String] = [:]
        for entry in encryptionKeys {
            guard let colon = entry.firstIndex(of: ":"), colon != entry.startIndex else {
                throw ValidationError("--encryption-key must be LABEL:PASSPHRASE, got '\(entry)'")
            }
            let label = String(entry[..<colon])
            guard passphrases[label] == nil else { throw ValidationError("encryption key '\(label)' is given twice") }
            passphrases[label] = String(entry[entry.index(after: colon)...])
        }
        guard let active = activeKeyLabel ?? (passphrases.count == 1 ? passphrases.keys.first : nil) else {
            throw ValidationError("with several --encryption-key, name the active one with --active-key-label")
        }
        do {
            return RecordCodec(keys: try EncryptionKeySet(activeLabel: active, passphrases: passphrases))
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Opens the store named by `--store`.
    func open() throws -> OpenedStore {
        if store.hasPrefix("sqlite:") {
            let path = String(store.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw ValidationError("--store sqlite: needs a file path, e.g. sqlite:/var/vcap/store/bbs.db") }
            return OpenedStore(backend: try SQLiteBackend(path: path), lockPath: path + ".lock", batchSize: 500)
        }
        if store.hasPrefix("etcd:") {
            var tls: EtcdTLSFiles?
            if let ca = etcdCAFile, let cert = etcdCertFile, let key = etcdKeyFile {
                tls = EtcdTLSFiles(caFile: ca, certificateFile: cert, keyFile: key)
            }
            let configuration = try EtcdConfiguration(storeURL: store, tls: tls)
            let backend = try EtcdBackend(configuration: configuration)
            return OpenedStore(backend: backend, lockPath: nil, batchSize: configuration.maxTransactionOperations)
        }
        throw ValidationError("--store must be sqlite:PATH or etcd:URL[,URL...], got '\(store)'")
    }
}

/// An open backend with what start-up needs to know about it.
struct OpenedStore {
    var backend: any Backend
    /// Where the local single-master lock lives (SQLite only; the services issue brings the real lock).
    var lockPath: String?
    /// The most writes one transaction may carry on this backend.
    var batchSize: Int
}

/// Test-only: a shipped migration whose up throws on one record group, to prove the failure path end to end.
struct FailingMigration: Migration {
    let wrapped: any Migration
    let failingKey: String

    var version: Int { wrapped.version }
    var name: String { wrapped.name + " (failing at \(failingKey))" }

    func up(_ group: [Record], context: MigrationContext) throws -> [Record] {
        if group.contains(where: { $0.key == failingKey }) {
            throw MigrationError("test migration failure at \(failingKey)")
        }
        return try wrapped.up(group, context: context)
    }

    func down(_ group: [Record], context: MigrationContext) throws -> [Record] {
        try wrapped.down(group, context: context)
    }
}
