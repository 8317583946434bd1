import Encryption
import Foundation
import Store
import SwiftProtobuf
import Testing

@Suite("RecordCodec")
struct RecordCodecTests {
    let message = Google_Protobuf_SourceContext.with { $0.fileName = "a" }

    @Test("writes \"01\" + base64 of the PROTO header and protobuf bytes, byte for byte")
    func base64Layout() throws {
        let stored = try RecordCodec().encode(message)
        #expect(String(decoding: stored, as: UTF8.self) == "01AgAKAWE=")
        #expect(try RecordCodec().decode(Google_Protobuf_SourceContext.self, from: stored) == message)
    }

    @Test("writes \"02\" + base64 of [label length][label][nonce][GCM ciphertext+tag] when keys are configured")
    func encryptedLayout() throws {
        let keys = try EncryptionKeySet(activeLabel: "label", passphrases: ["label": "pass"])
        let stored = try RecordCodec(keys: keys).encode(message)
        #expect(Array(stored.prefix(2)) == Array("02".utf8))
        let sealed = try #require(Data(base64Encoded: Data(stored.dropFirst(2))))
        #expect(sealed.first == 5)
        #expect(String(decoding: sealed.dropFirst().prefix(5), as: UTF8.self) == "label")
        #expect(sealed.count == 1 + 5 + 12 + 5 + 16)
        #expect(try Cryptor(keys: keys).open(Array(sealed)) == [2, 0, 10, 1, 97])
        #expect(try RecordCodec(keys: keys).decode(Google_Protobuf_SourceContext.self, from: stored) == message)
        #expect(throws: StoreError.self) { try RecordCodec().decode(Google_Protobuf_SourceContext.self, from: stored) }
    }

    @Test(
        "reads every form Diego ever wrote",
        arguments: [
            ("legacy JSON, snake_case", #"{"file_name":"a"}"#),
            ("legacy JSON, unknown fields ignored", #"{"file_name":"a","routes":{"x":1}}"#),
            ("\"00\" + PROTO header", "00\u{02}\u{00}\u{0A}\u{01}a"),
            ("\"00\" + JSON header", "00\u{01}\u{00}{\"fileName\":\"a\"}"),
            ("\"01\" base64 PROTO", "01AgAKAWE="),
            ("\"01\" base64 of legacy JSON", "01" + Data(#"{"file_name":"a"}"#.utf8).base64EncodedString()),
        ])
    func readsAllForms(_ form: String, _ stored: String) throws {
        #expect(try RecordCodec().decode(Google_Protobuf_SourceContext.self, from: Array(stored.utf8)) == message)
    }

    @Test("JSON and unencoded writers round-trip for tools and tests")
    func otherWriters() throws {
        for (encoding, format) in [(RecordEncoding.unencoded, RecordFormat.json), (.legacyUnencoded, .legacyJSON)] {
            let codec = try RecordCodec(writing: encoding, format: format)
            let stored = try codec.encode(message)
            #expect(try RecordCodec.encoding(of: stored) == encoding)
            #expect(try RecordCodec().decode(Google_Protobuf_SourceContext.self, from: stored) == message)
        }
        #expect(throws: StoreError.self) { try RecordCodec(writing: .base64Encrypted) }
    }

    @Test("garbage is a corrupt-record error, never a crash", arguments: ["01%%%", "09abc", "{not json", "02AAAA", ""])
    func garbage(_ stored: String) {
        #expect(throws: StoreError.self) {
            try RecordCodec().decode(Google_Protobuf_SourceContext.self, from: Array(stored.utf8))
        }
    }
}

@Suite("KeyLayout")
struct KeyLayoutTests {
    @Test("keys follow the per-version root layout")
    func keys() {
        let layout = KeyLayout(version: 3)
        #expect(layout.desiredLRP("g") == "/v3/desired/g")
        #expect(layout.desiredLRPSchedulingInfo("g") == "/v3/desired_lrp/schedule/g")
        #expect(layout.desiredLRPRunInfo("g") == "/v3/desired_lrp/run/g")
        #expect(layout.actualLRP("g", index: 2) == "/v3/actual/g/2/instance")
        #expect(layout.actualLRP("g", index: 0, evacuating: true) == "/v3/actual/g/0/evacuating")
        #expect(layout.task("t") == "/v3/task/t")
        #expect(layout.domain("cf-apps") == "/v3/domain/cf-apps")
        #expect(layout.cell("cell-1") == "/v3/cell/cell-1")
        #expect(KeyLayout.versionKey == "/version")
        #expect(layout.relative("/v3/task/t") == "task/t")
        #expect(layout.relative("/v30/task/t") == nil)
    }

    @Test("a DesiredLRP's whole record and its two halves form one group; other records stand alone")
    func groups() {
        let group = ["desired/g", "desired_lrp/run/g", "desired_lrp/schedule/g"]
        for member in group { #expect(RecordKeys.groupMembers(of: member) == group) }
        #expect(RecordKeys.groupMembers(of: "task/t") == ["task/t"])
        #expect(RecordKeys.groupMembers(of: "actual/g/0/instance") == ["actual/g/0/instance"])
    }

    @Test("the version record is the JSON {current_version, target_version}")
    func versionRecord() throws {
        let version = DataVersion(current: 1, target: 3)
        #expect(String(decoding: try version.encoded(), as: UTF8.self) == #"{"current_version":1,"target_version":3}"#)
        #expect(try DataVersion.decode(Array(#"{"target_version":3,"current_version":2}"#.utf8)) == DataVersion(current: 2, target: 3))
        #expect(throws: StoreError.self) { try DataVersion.decode(Array("{}".utf8)) }
    }
}
