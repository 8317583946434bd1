import Foundation
import Models
import SwiftProtobuf
import Testing

@Suite("Model descriptors for reflection")
struct ModelDescriptorsTests {
    @Test("the descriptor set holds every diego.bbs file, with Diego's field numbers")
    func descriptorSet() throws {
        let data = try #require(
            Data(base64Encoded: ModelDescriptors.fileDescriptorSetBase64, options: .ignoreUnknownCharacters))
        let set = try Google_Protobuf_FileDescriptorSet(serializedBytes: data)
        let files = Dictionary(uniqueKeysWithValues: set.file.map { ($0.name, $0) })
        #expect(files["diego/bbs/desired_lrp.proto"]?.package == "diego.bbs")
        let desired = try #require(files["diego/bbs/desired_lrp.proto"]?.messageType.first { $0.name == "DesiredLRP" })
        let numbers = Dictionary(uniqueKeysWithValues: desired.field.map { ($0.name, $0.number) })
        #expect(numbers["start_timeout_ms"] == 27 && numbers["PlacementTags"] == 28 && numbers["update_strategy"] == 39)
        let actual = try #require(files["diego/bbs/actual_lrp.proto"]?.messageType.first { $0.name == "ActualLRP" })
        let state = try #require(actual.field.first { $0.name == "state" })
        #expect(state.number == 6 && state.type == .string)
    }
}
