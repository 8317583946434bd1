import Foundation
import Logging
import Services
import Testing

@testable import BBSServer

/// A directory of its own for each test's config files, removed at the end.
private struct ConfigDirectory: ~Copyable {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("bbs-config-\(UUID().uuidString)").path

    init() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `name` and returns the file's path.
    func write(_ name: String, _ text: String) throws -> String {
        let file = "\(path)/\(name)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }
}

@Suite("--config file")
struct ConfigFileTests {
    @Test("a Diego-style bbs.json sets every field")
    func fullFile() throws {
        let directory = try ConfigDirectory()
        let path = try directory.write(
            "bbs.json",
            """
            {
              "listen_address": "0.0.0.0:8889",
              "advertise_url": "https://bbs.service.cf.internal:8889",
              "ca_file": "/var/vcap/jobs/bbs/config/ca.crt",
              "cert_file": "/var/vcap/jobs/bbs/config/server.crt",
              "key_file": "/var/vcap/jobs/bbs/config/server.key",
              "insecure_plaintext": false,
              "store": "etcd:https://10.0.0.1:2379,https://10.0.0.2:2379",
              "uuid": "bbs-0-7c1e",
              "lock_ttl": "15s",
              "lock_retry_interval": "5s",
              "drain_timeout": "1m30s",
              "debug_address": "127.0.0.1:17017",
              "log_level": "debug",
              "max_send_message_size": 4194304,
              "encryption_keys": {"key-2025": "old passphrase", "key-2026": "new passphrase"},
              "active_key_label": "key-2026",
              "etcd_ca_file": "/var/vcap/jobs/bbs/config/etcd-ca.crt",
              "etcd_cert_file": "/var/vcap/jobs/bbs/config/etcd-client.crt",
              "etcd_key_file": "/var/vcap/jobs/bbs/config/etcd-client.key"
            }
            """)
        let config = try ConfigFile.load(path: path)

        var expected = ConfigFile()
        expected.listenAddress = "0.0.0.0:8889"
        expected.advertiseURL = "https://bbs.service.cf.internal:8889"
        expected.caFile = "/var/vcap/jobs/bbs/config/ca.crt"
        expected.certFile = "/var/vcap/jobs/bbs/config/server.crt"
        expected.keyFile = "/var/vcap/jobs/bbs/config/server.key"
        expected.insecurePlaintext = false
        expected.store = "etcd:https://10.0.0.1:2379,https://10.0.0.2:2379"
        expected.uuid = "bbs-0-7c1e"
        expected.lockTTL = GoDuration(.seconds(15))
        expected.lockRetryInterval = GoDuration(.seconds(5))
        expected.drainTimeout = GoDuration(.seconds(90))
        expected.debugAddress = "127.0.0.1:17017"
        expected.logLevel = .debug
        expected.maxSendMessageSize = 4_194_304
        expected.encryptionKeys = ["key-2025": "old passphrase", "key-2026": "new passphrase"]
        expected.activeKeyLabel = "key-2026"
        expected.etcdCAFile = "/var/vcap/jobs/bbs/config/etcd-ca.crt"
        expected.etcdCertFile = "/var/vcap/jobs/bbs/config/etcd-client.crt"
        expected.etcdKeyFile = "/var/vcap/jobs/bbs/config/etcd-client.key"
        #expect(config == expected)
    }

    @Test("an empty object sets nothing, and null counts as absent")
    func emptyAndNull() throws {
        #expect(try ConfigFile.decode(Data("{}".utf8), name: "bbs.json") == ConfigFile())
        #expect(
            try ConfigFile.decode(Data(#"{"lock_ttl": null, "uuid": null}"#.utf8), name: "bbs.json") == ConfigFile())
    }

    @Test("an unknown key is refused by name, with the key it was probably meant to be")
    func unknownKey() throws {
        let error = refusal(#"{"uuid": "bbs-0", "lock_tll": "15s"}"#)
        #expect(error?.kind == .unknownKey)
        #expect(error?.key == "lock_tll")
        #expect(error?.description == "config file bbs.json: unknown key 'lock_tll' (did you mean 'lock_ttl'?)")
    }

    @Test("several unknown keys are all named, sorted, and a key near none gets no guess")
    func unknownKeys() throws {
        let error = refusal(#"{"locket_address": "x", "database_driver": "mysql"}"#)
        #expect(error?.description == "config file bbs.json: unknown keys 'database_driver', 'locket_address'")
    }

    @Test(
        "a value of the wrong JSON type is refused with the shape it must have",
        arguments: [
            (#"{"lock_ttl": 15}"#, "lock_ttl", #"'lock_ttl' must be a string like "15s""#),
            (#"{"insecure_plaintext": "yes"}"#, "insecure_plaintext", "'insecure_plaintext' must be true or false"),
            (
                #"{"max_send_message_size": 4.5}"#, "max_send_message_size",
                "'max_send_message_size' must be a whole number"
            ),
            (
                #"{"max_send_message_size": "4MB"}"#, "max_send_message_size",
                "'max_send_message_size' must be a whole number"
            ),
            (#"{"encryption_keys": ["a"]}"#, "encryption_keys", "'encryption_keys' must be an object of key label"),
            (#"{"encryption_keys": {"k": 1}}"#, "encryption_keys", "'encryption_keys' must be an object of key label"),
            (#"{"uuid": 7}"#, "uuid", "'uuid' must be a string"),
        ])
    func wrongType(json: String, key: String, message: String) throws {
        let error = refusal(json)
        #expect(error?.kind == .wrongType)
        #expect(error?.key == key)
        #expect(error?.description.hasPrefix("config file bbs.json: \(message)") == true)
    }

    @Test(
        "a value of the right type that means nothing is refused with why",
        arguments: [
            (#"{"log_level": "verbose"}"#, "log_level", #"unknown log level "verbose""#),
            (#"{"lock_ttl": "15"}"#, "lock_ttl", #"invalid duration "15""#),
            (#"{"drain_timeout": "-1s"}"#, "drain_timeout", "negative"),
            (#"{"max_send_message_size": 0}"#, "max_send_message_size", "more than 0 bytes"),
        ])
    func invalidValue(json: String, key: String, why: String) throws {
        let error = refusal(json)
        #expect(error?.kind == .invalidValue)
        #expect(error?.key == key)
        #expect(error?.description.hasPrefix("config file bbs.json: bad '\(key)': ") == true)
        #expect(error?.description.contains(why) == true)
    }

    @Test("JSON that does not parse is refused with the file's name and where it breaks")
    func badJSON() throws {
        let error = refusal("{\"uuid\": \"bbs-0\",\n  \"store\" \"sqlite:/tmp/bbs.db\"}")
        #expect(error?.kind == .invalidJSON)
        #expect(error?.description.hasPrefix("config file bbs.json: not valid JSON: ") == true)
        #expect(error?.description.contains("line 2") == true)
        #expect(refusal("")?.kind == .invalidJSON)
    }

    @Test("JSON that is not an object is refused")
    func notAnObject() {
        let error = refusal(#"["listen_address", "0.0.0.0:8889"]"#)
        #expect(error?.kind == .wrongType)
        #expect(error?.key == nil)
        #expect(error?.description.hasPrefix("config file bbs.json: must be a JSON object") == true)
    }

    @Test("a missing file or a directory is refused naming the path and the reason")
    func unreadable() throws {
        let directory = try ConfigDirectory()
        let missing = "\(directory.path)/missing.json"
        #expect(throws: ConfigFileError.unreadable(missing, reason: "No such file or directory")) {
            try ConfigFile.load(path: missing)
        }
        #expect(throws: ConfigFileError.unreadable(directory.path, reason: "Is a directory")) {
            try ConfigFile.load(path: directory.path)
        }
        #expect(
            "\(ConfigFileError.unreadable(missing, reason: "No such file or directory"))"
                == "config file \(missing): cannot read it: No such file or directory")
    }

    @Test("every error is one line")
    func oneLine() {
        let values = [
            "{\n\"a\" 1\n}", #"{"lock\n_tll": 1}"#, #"{"lock_ttl": 1}"#, #"{"log_level": "x\ny"}"#,
            #"{"lock_ttl": "1\ns"}"#, "[]",
        ]
        for json in values {
            #expect(refusal(json)?.description.contains("\n") == false)
        }
    }

    private func refusal(_ json: String) -> ConfigFileError? {
        do {
            _ = try ConfigFile.decode(Data(json.utf8), name: "bbs.json")
            Issue.record("\(json) was accepted")
            return nil
        } catch {
            return error
        }
    }
}
