import Foundation
import Models
import SwiftProtobuf
import Testing

@Suite("Desired LRP split and merge")
struct DesiredLRPSplitTests {
    @Test("merging the split halves gives back the whole desired LRP")
    func mergeAfterSplit() {
        let lrp = Fixtures.desiredLRP()
        let (schedulingInfo, runInfo) = lrp.split(createdAt: 1_700_000_000_000_000_000)
        #expect(Diego_Bbs_DesiredLRP(schedulingInfo: schedulingInfo, runInfo: runInfo) == lrp)
    }

    @Test("splitting the merged halves gives back both halves")
    func splitAfterMerge() {
        let (schedulingInfo, runInfo) = Fixtures.desiredLRP().split(createdAt: 42)
        let merged = Diego_Bbs_DesiredLRP(schedulingInfo: schedulingInfo, runInfo: runInfo)
        let again = merged.split(createdAt: runInfo.createdAt)
        #expect(again.schedulingInfo == schedulingInfo)
        #expect(again.runInfo == runInfo)
    }

    @Test("an empty desired LRP survives the round trip with nothing set")
    func emptyRoundTrip() {
        let empty = Diego_Bbs_DesiredLRP()
        let (s, r) = empty.split()
        let merged = Diego_Bbs_DesiredLRP(schedulingInfo: s, runInfo: r)
        #expect(merged == empty)
        #expect(!merged.hasRoutes && !merged.hasAction && !merged.hasModificationTag)
    }

    @Test("the halves carry the right fields")
    func fieldsLandInTheRightHalf() {
        let lrp = Fixtures.desiredLRP()
        let (s, r) = lrp.split(createdAt: 7)
        #expect(s.desiredLrpKey == r.desiredLrpKey)
        #expect(s.desiredLrpKey.processGuid == lrp.processGuid)
        #expect(s.instances == 3 && s.desiredLrpResource.memoryMb == 256 && s.desiredLrpResource.rootFs == lrp.rootFs)
        #expect(
            s.routes == lrp.routes && s.modificationTag == lrp.modificationTag && s.placementTags == ["isolation-a"])
        #expect(s.metricTags == lrp.metricTags && r.metricTags.isEmpty)
        #expect(r.action == lrp.action && r.monitor == lrp.monitor && r.setup == lrp.setup)
        #expect(r.createdAt == 7 && r.ports == [8080, 2222] && r.egressRules == lrp.egressRules)
    }

    @Test("a Diego-era run info's metric tags are used when the scheduling info has none")
    func legacyMetricTags() {
        var (s, r) = Fixtures.desiredLRP().split()
        r.metricTags = s.metricTags
        s.metricTags = [:]
        #expect(Diego_Bbs_DesiredLRP(schedulingInfo: s, runInfo: r).metricTags == r.metricTags)
    }
}

@Suite("Protobuf encoding")
struct ProtoRoundTripTests {
    @Test("every model survives binary encode and decode")
    func binaryRoundTrip() throws {
        let lrp = Fixtures.desiredLRP()
        #expect(try Diego_Bbs_DesiredLRP(serializedBytes: try lrp.serializedBytes() as [UInt8]) == lrp)
        let (s, r) = lrp.split(createdAt: 9)
        #expect(try Diego_Bbs_DesiredLRPSchedulingInfo(serializedBytes: try s.serializedBytes() as [UInt8]) == s)
        #expect(try Diego_Bbs_DesiredLRPRunInfo(serializedBytes: try r.serializedBytes() as [UInt8]) == r)
        var actual = Fixtures.actualLRP(.running)
        actual.routable = true
        actual.presence = .evacuating
        #expect(try Diego_Bbs_ActualLRP(serializedBytes: try actual.serializedBytes() as [UInt8]) == actual)
        let task = Fixtures.task(.completed)
        #expect(try Diego_Bbs_Task(serializedBytes: try task.serializedBytes() as [UInt8]) == task)
        var cell = Diego_Bbs_CellPresence()
        cell.cellID = "cell-1"
        cell.capacity.memoryMb = 1024
        cell.rootfsProviders = [
            {
                var p = Diego_Bbs_Provider()
                p.name = "preloaded"
                p.properties = ["cflinuxfs4"]
                return p
            }()
        ]
        #expect(try Diego_Bbs_CellPresence(serializedBytes: try cell.serializedBytes() as [UInt8]) == cell)
    }

    @Test("JSON with the original proto field names round-trips too")
    func jsonRoundTrip() throws {
        let lrp = Fixtures.desiredLRP()
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        let json = try lrp.jsonString(options: options)
        #expect(json.contains("\"process_guid\""))
        #expect(try Diego_Bbs_DesiredLRP(jsonString: json) == lrp)
    }

    @Test("field numbers are Diego's: known bytes decode to the right fields")
    func diegoFieldNumbers() throws {
        // ActualLRP: state (6) = "RUNNING", since (8) = 5, presence (10) = EVACUATING, crash_count (4) = 2.
        let bytes: [UInt8] = [0x32, 7] + Array("RUNNING".utf8) + [0x40, 5, 0x50, 1, 0x20, 2]
        let lrp = try Diego_Bbs_ActualLRP(serializedBytes: bytes)
        #expect(lrp.lrpState == .running && lrp.since == 5 && lrp.presence == .evacuating && lrp.crashCount == 2)
        // DesiredLRP: start_timeout_ms (27) = 3, max_pids (29) = 4, PlacementTags (28) = "x".
        let desired = try Diego_Bbs_DesiredLRP(serializedBytes: [0xD8, 0x01, 3, 0xE8, 0x01, 4, 0xE2, 0x01, 1, 0x78])
        #expect(desired.startTimeoutMs == 3 && desired.maxPids == 4 && desired.placementTags == ["x"])
        // Task: state (7) = Resolving, rejection_count (12) = 1.
        let task = try Diego_Bbs_Task(serializedBytes: [0x38, 4, 0x60, 1])
        #expect(task.state == .resolving && task.rejectionCount == 1)
    }

    @Test("ports are encoded unpacked, as Diego's [packed = false]")
    func unpackedPorts() throws {
        var r = Diego_Bbs_DesiredLRPRunInfo()
        r.ports = [80, 443]
        let bytes: [UInt8] = try r.serializedBytes()
        #expect(bytes == [0x48, 80, 0x48, 0xBB, 0x03])
    }
}
