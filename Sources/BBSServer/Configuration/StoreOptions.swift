import ArgumentParser
import Encryption
import EtcdStore
import Foundation
import Store

/// The flags every subcommand shares: where the store is and the encryption keys. Each may also come
/// from the `--config` file; a flag wins over the file.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The store: sqlite:PATH or etcd:URL[,URL...] (config: store).")
    var store: String?

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

    /// The store settings, from the flags over `file`.
    func resolve(_ file: ConfigFile?) throws(BBSStartupError) -> StoreSettings {
        guard let store = store ?? file?.store else {
            throw .usage("--store is required: sqlite:PATH or etcd:URL[,URL...] (or \"store\" in the config file)")
        }
        var keys: [String: String] = [:]
        if encryptionKeys.isEmpty {
            keys = file?.encryptionKeys ?? [:]
        } else {
            for entry in encryptionKeys {
                guard let colon = entry.firstIndex(of: ":"), colon != entry.startIndex else {
                    throw .usage("--encryption-key must be LABEL:PASSPHRASE, got '\(entry)'")
                }
                let label = String(entry[..<colon])
                guard keys[label] == nil else { throw .usage("--encryption-key '\(label)' is given twice") }
                keys[label] = String(entry[entry.index(after: colon)...])
            }
        }
        let codec: RecordCodec
        let active = activeKeyLabel ?? file?.activeKeyLabel
        if keys.isEmpty {
            if active != nil { throw .usage("--active-key-label needs at least one --encryption-key") }
            codec = RecordCodec()
        } else {
            guard let active = active ?? (keys.count == 1 ? keys.keys.first : nil) else {
                throw .usage("with several encryption keys, name the active one with --active-key-label")
            }
            do {
                codec = RecordCodec(keys: try EncryptionKeySet(activeLabel: active, passphrases: keys))
            } catch {
                throw .usage("encryption keys: \(error)")
            }
        }
        var etcdTLS: EtcdTLSFiles?
        let ca = etcdCAFile ?? file?.etcdCAFile
        let cert = etcdCertFile ?? file?.etcdCertFile
        let key = etcdKeyFile ?? file?.etcdKeyFile
        if ca != nil || cert != nil || key != nil {
            guard let ca, let cert, let key else {
                throw .usage("pass all three of --etcd-ca-file, --etcd-cert-file and --etcd-key-file, or none")
            }
            etcdTLS = EtcdTLSFiles(caFile: ca, certificateFile: cert, keyFile: key)
        }
        return StoreSettings(store: store, codec: codec, etcdTLS: etcdTLS)
    }
}

/// Where the store is and how its records are written, resolved from flags and the config file.
struct StoreSettings: Sendable {
    var store: String
    var codec: RecordCodec
    var etcdTLS: EtcdTLSFiles?

    /// Opens the store named by `store`, with its master lock.
    func connect() throws(BBSStartupError) -> StoreConnection {
        if store.hasPrefix("sqlite:") {
            let path = String(store.dropFirst("sqlite:".count))
            guard !path.isEmpty else {
                throw .usage("--store sqlite: needs a file path, e.g. sqlite:/var/vcap/store/bbs.db")
            }
            let backend: SQLiteBackend
            do {
                backend = try SQLiteBackend(path: path)
            } catch {
                throw BBSStartupError(exitCode: 1, message: "cannot open the SQLite store \(path): \(error)")
            }
            return StoreConnection(
                backend: backend, lock: RecordMasterLock(backend: backend), batchSize: 500, description: store)
        }
        if store.hasPrefix("etcd:") {
            do {
                let configuration = try EtcdConfiguration(storeURL: store, tls: etcdTLS)
                let backend = try EtcdBackend(configuration: configuration)
                return StoreConnection(
                    backend: backend, lock: EtcdMasterLock(backend: backend),
                    batchSize: configuration.maxTransactionOperations, description: store)
            } catch {
                throw .usage("--store \(store): \(error)")
            }
        }
        throw .usage("--store must be sqlite:PATH or etcd:URL[,URL...], got '\(store)'")
    }
}
