import Foundation
import Models
import Store

/// Realistic data version 1 records for the kill loop and the migration benchmark: a Cloud
/// Controller-shaped desired LRP of about 2 KB of legacy JSON, its actual LRPs, tasks and domains.
/// Deterministic: the same index always gives the same record.
extension LegacyRecords {
    /// What `fillSample(records:)` wrote.
    public struct SampleCounts: Sendable, Equatable {
        /// Records written per kind.
        public var desiredLRPs = 0
        /// Records written per kind.
        public var actualLRPs = 0
        /// Records written per kind.
        public var tasks = 0
        /// Records written per kind.
        public var domains = 0
        /// Every record written.
        public var total: Int { desiredLRPs + actualLRPs + tasks + domains }
    }

    /// The domains every sample record belongs to.
    public static let sampleDomains = ["cf-apps", "cf-tasks"]

    /// Writes about `records` sample records (two domains, then groups of one desired LRP, two actual
    /// LRPs and one task) and the version record `{1, 1}`.
    @discardableResult
    public func fillSample(records: Int) async throws -> SampleCounts {
        var counts = SampleCounts()
        var batch: [(key: String, value: [UInt8])] = []
        for name in Self.sampleDomains {
            var domain = Diego_Bbs_Domain()
            domain.domain = name
            batch.append(try Self.record(domain))
            counts.domains += 1
        }
        var index = 0
        while counts.total < records {
            let desired = Self.sampleDesiredLRP(index)
            batch.append(try Self.record(desired))
            counts.desiredLRPs += 1
            for instance in 0..<2 where counts.total < records {
                batch.append(
                    try Self.record(Self.sampleActualLRP(processGuid: desired.processGuid, index: Int32(instance))))
                counts.actualLRPs += 1
            }
            if counts.total < records {
                batch.append(try Self.record(Self.sampleTask(index)))
                counts.tasks += 1
            }
            if batch.count >= batchSize {
                try await write(batch)
                batch.removeAll(keepingCapacity: true)
            }
            index += 1
        }
        try await write(batch)
        try await writeVersion()
        return counts
    }

    /// A Cloud Controller-shaped desired LRP (about 2 KB as legacy JSON).
    public static func sampleDesiredLRP(_ index: Int) -> Diego_Bbs_DesiredLRP {
        let guid = String(format: "%08x-app-guid-%06d-version-guid", index, index)
        var d = Diego_Bbs_DesiredLRP()
        d.processGuid = guid
        d.domain = "cf-apps"
        d.logGuid = "log-\(guid)"
        d.rootFs = "preloaded:cflinuxfs4"
        d.instances = 2
        d.memoryMb = 1024
        d.diskMb = 1024
        d.maxPids = 1024
        d.cpuWeight = 10
        d.ports = [8080, 2222]
        d.annotation = "{\"etag\":\"\(index)\"}"
        d.startTimeoutMs = 60_000
        d.logSource = "CELL"
        d.metricsGuid = guid
        d.environmentVariables = [
            env("LANG", "en_US.UTF-8"),
            env("VCAP_APPLICATION", "{\"application_id\":\"\(guid)\",\"limits\":{\"mem\":1024}}"),
        ]
        var download = Diego_Bbs_DownloadAction()
        download.artifact = "droplet"
        download.from = "https://cloud-controller-ng.service.cf.internal:9023/internal/v4/droplets/\(guid)/download"
        download.to = "."
        download.user = "vcap"
        download.checksumAlgorithm = "sha256"
        download.checksumValue = String(repeating: "ab", count: 32)
        d.setup.downloadAction = download
        var run = Diego_Bbs_RunAction()
        run.path = "/tmp/lifecycle/launcher"
        run.args = ["app", "bundle exec rackup config.ru -p $PORT", "{\"start_command\":\"bundle exec rackup\"}"]
        run.user = "vcap"
        run.env = [env("PORT", "8080"), env("INSTANCE_INDEX", "0")]
        run.resourceLimits.nofile = 16384
        d.action.runAction = run
        var check = Diego_Bbs_Check()
        check.tcpCheck.port = 8080
        check.tcpCheck.connectTimeoutMs = 1000
        d.checkDefinition.checks = [check]
        var monitor = Diego_Bbs_RunAction()
        monitor.path = "/tmp/lifecycle/healthcheck"
        monitor.args = ["-port=8080"]
        monitor.user = "vcap"
        monitor.suppressLogOutput = true
        d.monitor.runAction = monitor
        d.routes.routes = [
            "cf-router": Data(
                "[{\"hostnames\":[\"app-\(index).example.com\"],\"port\":8080,\"route_service_url\":null}]".utf8),
            "tcp-router": Data("[]".utf8),
        ]
        var rule = Diego_Bbs_SecurityGroupRule()
        rule.protocol = "all"
        rule.destinations = ["0.0.0.0-9.255.255.255", "11.0.0.0-169.253.255.255", "169.255.0.0-172.15.255.255"]
        d.egressRules = [rule, rule]
        d.modificationTag.epoch = "epoch-\(index)"
        d.modificationTag.index = UInt32(index % 7)
        d.placementTags = []
        d.network.properties = ["policy_group_id": guid, "app_id": guid]
        d.certificateProperties.organizationalUnit = ["organization:org-guid", "space:space-guid", "app:\(guid)"]
        var tag = Diego_Bbs_MetricTagValue()
        tag.static = guid
        d.metricTags = ["source_id": tag]
        d.logRateLimit.bytesPerSecond = -1
        return d
    }

    /// A RUNNING actual LRP of a sample desired LRP.
    public static func sampleActualLRP(processGuid: String, index: Int32) -> Diego_Bbs_ActualLRP {
        var a = Diego_Bbs_ActualLRP()
        a.actualLrpKey = Diego_Bbs_ActualLRPKey(processGuid: processGuid, index: index, domain: "cf-apps")
        a.actualLrpInstanceKey = Diego_Bbs_ActualLRPInstanceKey(
            instanceGuid: "\(processGuid)-i\(index)", cellID: "cell-\(index % 4)")
        a.actualLrpNetInfo.address = "10.0.16.\(index % 250 + 1)"
        a.actualLrpNetInfo.instanceAddress = "10.255.0.\(index % 250 + 1)"
        var port = Diego_Bbs_PortMapping()
        port.containerPort = 8080
        port.hostPort = 61000 + UInt32(index % 1000)
        a.actualLrpNetInfo.ports = [port]
        a.state = ActualLRPState.running.rawValue
        a.since = 1_700_000_000_000_000_000 + Int64(index)
        a.modificationTag.epoch = "epoch-\(processGuid)"
        a.modificationTag.index = 2
        a.routable = true
        return a
    }

    /// A completed sample task.
    public static func sampleTask(_ index: Int) -> Diego_Bbs_Task {
        var t = Diego_Bbs_Task()
        t.taskGuid = String(format: "task-%08d", index)
        t.domain = "cf-tasks"
        t.taskDefinition.rootFs = "preloaded:cflinuxfs4"
        t.taskDefinition.memoryMb = 256
        t.taskDefinition.diskMb = 1024
        t.taskDefinition.logGuid = "log-task-\(index)"
        t.taskDefinition.resultFile = "/tmp/result.json"
        var run = Diego_Bbs_RunAction()
        run.path = "/tmp/lifecycle/launcher"
        run.args = ["app", "rake db:migrate", ""]
        run.user = "vcap"
        t.taskDefinition.action.runAction = run
        t.state = .completed
        t.createdAt = 1_700_000_000_000_000_000 + Int64(index)
        t.updatedAt = t.createdAt + 1_000
        t.firstCompletedAt = t.updatedAt
        t.result = "{\"ok\":true}"
        return t
    }

    private static func env(_ name: String, _ value: String) -> Diego_Bbs_EnvironmentVariable {
        var variable = Diego_Bbs_EnvironmentVariable()
        variable.name = name
        variable.value = value
        return variable
    }
}
