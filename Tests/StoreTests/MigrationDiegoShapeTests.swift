import Foundation
import Models
import SwiftProtobuf
import TestSupport
import Testing

@testable import Store

/// Legacy records in the shape Diego's Go code wrote them (gogoproto json tags, embedded messages
/// flattened, routes as raw JSON) decode to the same messages and migrate.
@Suite("Migration of Diego-shaped legacy JSON")
struct MigrationDiegoShapeTests {
    static let actualLRP = #"""
        {"process_guid":"pg","index":1,"domain":"cf-apps","instance_guid":"ig","cell_id":"cell-1",
         "address":"10.0.0.1","ports":[{"container_port":8080,"host_port":61001}],"instance_address":"10.255.0.1",
         "preferred_address":0,"crash_count":0,"state":"RUNNING","since":1700000000000000001,
         "modification_tag":{"epoch":"e","index":2},"presence":1,"routable":true,"availability_zone":"z1"}
        """#

    static let task = #"""
        {"task_guid":"t1","domain":"cf-tasks","rootfs":"docker:///busybox","env":[{"name":"A","value":"b"}],
         "action":{"run":{"path":"/bin/true","user":"root","args":["-x"]}},"memory_mb":128,"log_guid":"lg",
         "state":3,"created_at":1,"updated_at":2,"first_completed_at":2,"result":"ok","failed":false,
         "cell_id":"","rejection_count":1}
        """#

    static let desiredLRP = #"""
        {"process_guid":"pg","domain":"cf-apps","log_guid":"lg","rootfs":"preloaded:cflinuxfs4","instances":2,
         "env":[{"name":"LANG","value":"C"}],
         "setup":{"serial":{"actions":[{"download":{"from":"http://x/d.tgz","to":".","user":"vcap"}},
           {"timeout":{"action":{"run":{"path":"/bin/sh","user":"vcap"}},"timeout":1000000000,"timeout_ms":1000}}]}},
         "action":{"codependent":{"actions":[{"run":{"path":"/app","user":"vcap"}},
           {"try":{"action":{"emit_progress":{"action":{"run":{"path":"/x","user":"vcap"}},"start_message":"go"}}}}]}},
         "monitor":{"parallel":{"actions":[{"upload":{"from":"a","to":"b","user":"vcap"}}]}},
         "routes":{"cf-router":[{"hostnames":["a.example.com"],"port":8080}],"tcp-router":[]},
         "placement_tags":["iso"],"deprecated_timeout_ns":60,"start_timeout_ms":60000,"memory_mb":256,
         "modification_tag":{"epoch":"e","index":1},"sidecars":[{"action":{"run":{"path":"/side","user":"vcap"}}}]}
        """#

    static let schedulingInfo = #"""
        {"process_guid":"pg","domain":"cf-apps","log_guid":"lg","memory_mb":1,"disk_mb":2,"rootfs":"r:x",
         "max_pids":3,"epoch":"e","index":4,"instances":5,"annotation":"a","routes":{"cf-router":{"x":1}},
         "placement_tags":["p"]}
        """#

    func decode<M: SwiftProtobuf.Message>(_ json: String, as type: M.Type) throws -> M {
        try LegacyJSON.decode(M.self, from: Array(json.utf8), key: "test")
    }

    @Test("an actual LRP with its keys and net info at top level")
    func actualLRPShape() throws {
        let lrp = try decode(Self.actualLRP, as: Diego_Bbs_ActualLRP.self)
        #expect(lrp.actualLrpKey == Diego_Bbs_ActualLRPKey(processGuid: "pg", index: 1, domain: "cf-apps"))
        #expect(lrp.actualLrpInstanceKey == Diego_Bbs_ActualLRPInstanceKey(instanceGuid: "ig", cellID: "cell-1"))
        #expect(lrp.actualLrpNetInfo.address == "10.0.0.1" && lrp.actualLrpNetInfo.instanceAddress == "10.255.0.1")
        #expect(lrp.actualLrpNetInfo.ports.first?.hostPort == 61001)
        #expect(lrp.lrpState == .running && lrp.since == 1_700_000_000_000_000_001 && lrp.presence == .evacuating)
        #expect(lrp.modificationTag.index == 2 && lrp.routable && lrp.availabilityZone == "z1")
    }

    @Test("a task with its definition at top level, rootfs and env renamed, actions by short names")
    func taskShape() throws {
        let task = try decode(Self.task, as: Diego_Bbs_Task.self)
        #expect(task.taskGuid == "t1" && task.domain == "cf-tasks" && task.state == .completed)
        #expect(task.taskDefinition.rootFs == "docker:///busybox" && task.taskDefinition.memoryMb == 128)
        #expect(task.taskDefinition.environmentVariables.first?.name == "A")
        #expect(task.taskDefinition.action.runAction.path == "/bin/true")
        #expect(task.taskDefinition.logGuid == "lg" && task.rejectionCount == 1 && task.result == "ok")
        try task.validate()
    }

    @Test("a desired LRP with Diego's keys, action tree and raw JSON routes")
    func desiredLRPShape() throws {
        let lrp = try decode(Self.desiredLRP, as: Diego_Bbs_DesiredLRP.self)
        #expect(lrp.rootFs == "preloaded:cflinuxfs4" && lrp.environmentVariables.first?.value == "C")
        #expect(lrp.placementTags == ["iso"] && lrp.deprecatedStartTimeoutS == 60 && lrp.startTimeoutMs == 60000)
        let serial = lrp.setup.serialAction.actions
        #expect(serial.first?.downloadAction.from == "http://x/d.tgz")
        #expect(serial.last?.timeoutAction.deprecatedTimeoutNs == 1_000_000_000)
        #expect(
            serial.last?.timeoutAction.timeoutMs == 1000
                && serial.last?.timeoutAction.action.runAction.path == "/bin/sh")
        let codependent = lrp.action.codependentAction.actions
        #expect(codependent.last?.tryAction.action.emitProgressAction.startMessage == "go")
        #expect(lrp.monitor.parallelAction.actions.first?.uploadAction.to == "b")
        #expect(lrp.sidecars.first?.action.runAction.path == "/side")
        #expect(lrp.routes.routes["cf-router"] == Data(#"[{"hostnames":["a.example.com"],"port":8080}]"#.utf8))
        #expect(lrp.routes.routes["tcp-router"] == Data("[]".utf8))
        try lrp.validate()
    }

    @Test("a scheduling info with its key, resource and modification tag flattened")
    func schedulingInfoShape() throws {
        let info = try decode(Self.schedulingInfo, as: Diego_Bbs_DesiredLRPSchedulingInfo.self)
        #expect(info.desiredLrpKey.processGuid == "pg" && info.desiredLrpKey.logGuid == "lg")
        #expect(info.desiredLrpResource.rootFs == "r:x" && info.desiredLrpResource.maxPids == 3)
        #expect(info.modificationTag.epoch == "e" && info.modificationTag.index == 4 && info.instances == 5)
        #expect(info.routes.routes["cf-router"] == Data(#"{"x":1}"#.utf8) && info.placementTags == ["p"])
    }

    @Test("Diego-shaped records migrate 1 → 3 with their content")
    func migrates() throws {
        let records = [
            Record(key: "actual/pg/1/evacuating", value: Array(Self.actualLRP.utf8)),
            Record(key: "desired/pg", value: Array(Self.desiredLRP.utf8)),
            Record(key: "task/t1", value: Array(Self.task.utf8)),
        ]
        let codec = RecordCodec()
        let migrated = try MigrationFixtures.apply(records) {
            try Migrator.shipped().transform($0, from: 1, to: 3, context: MigrationContext(codec: codec))
        }
        #expect(
            migrated.map(\.key) == [
                "actual/pg/1/evacuating", "desired_lrp/run/pg", "desired_lrp/schedule/pg", "task/t1",
            ])
        let run = try codec.decode(Diego_Bbs_DesiredLRPRunInfo.self, from: migrated[1].value)
        let info = try codec.decode(Diego_Bbs_DesiredLRPSchedulingInfo.self, from: migrated[2].value)
        #expect(
            Diego_Bbs_DesiredLRP(schedulingInfo: info, runInfo: run)
                == (try decode(Self.desiredLRP, as: Diego_Bbs_DesiredLRP.self)))
        #expect(try codec.decode(Diego_Bbs_ActualLRP.self, from: migrated[0].value).actualLrpKey.processGuid == "pg")
        #expect(
            try codec.decode(Diego_Bbs_Task.self, from: migrated[3].value).taskDefinition.rootFs == "docker:///busybox")
    }

    @Test("bbs's own legacy JSON is read strictly, without the Diego shape")
    func ownShape() throws {
        let lrp = LegacyRecords.sampleDesiredLRP(1)
        #expect(try LegacyJSON.decode(Diego_Bbs_DesiredLRP.self, from: try LegacyJSON.encode(lrp), key: "k") == lrp)
        #expect(throws: StoreError.self) {
            try LegacyJSON.decode(Diego_Bbs_Task.self, from: Array("[1]".utf8), key: "k")
        }
    }

    @Test("the flattened key lists name every field of each embedded message")
    func embeddedKeysAreComplete() throws {
        let data = try #require(
            Data(base64Encoded: ModelDescriptors.fileDescriptorSetBase64, options: .ignoreUnknownCharacters))
        let messages = try Google_Protobuf_FileDescriptorSet(serializedBytes: data).file.flatMap(\.messageType)
        func fields(_ name: String) throws -> Set<String> {
            Set(try #require(messages.first { $0.name == name }).field.map(\.name))
        }
        func goKeys(_ shape: DiegoJSONShape, _ protoName: String) throws -> Set<String> {
            let embedded = try #require(shape.embedded.first { $0.protoName == protoName })
            let renames = Dictionary(uniqueKeysWithValues: embedded.shape.fields.map { ($0.goName, $0.protoName) })
            return Set(embedded.goKeys.map { renames[$0] ?? $0 })
        }
        #expect(try goKeys(.actualLRP, "actual_lrp_key") == fields("ActualLRPKey"))
        #expect(try goKeys(.actualLRP, "actual_lrp_instance_key") == fields("ActualLRPInstanceKey"))
        #expect(try goKeys(.actualLRP, "actual_lrp_net_info") == fields("ActualLRPNetInfo"))
        #expect(try goKeys(.schedulingInfo, "desired_lrp_key") == fields("DesiredLRPKey"))
        #expect(try goKeys(.schedulingInfo, "desired_lrp_resource") == fields("DesiredLRPResource"))
        #expect(try goKeys(.schedulingInfo, "modification_tag") == fields("ModificationTag"))
        #expect(try goKeys(.task, "task_definition") == fields("TaskDefinition"))
    }
}
