import Foundation
import Models
import Testing

@Suite("Desired LRP validation")
struct DesiredLRPValidationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let field: String
        let mutate: @Sendable (inout Diego_Bbs_DesiredLRP) -> Void
        var testDescription: String { name }
    }

    static let invalid: [Case] = [
        Case(name: "missing domain", field: "domain") { $0.domain = "" },
        Case(name: "guid with a slash", field: "process_guid") { $0.processGuid = "a/b" },
        Case(name: "empty guid", field: "process_guid") { $0.processGuid = "" },
        Case(name: "guid with a space", field: "process_guid") { $0.processGuid = "a b" },
        Case(name: "rootfs without scheme", field: "rootfs") { $0.rootFs = "cflinuxfs4" },
        Case(name: "empty rootfs", field: "rootfs") { $0.rootFs = "" },
        Case(name: "negative instances", field: "instances") { $0.instances = -1 },
        Case(name: "negative memory", field: "memory_mb") { $0.memoryMb = -1 },
        Case(name: "negative disk", field: "disk_mb") { $0.diskMb = -1 },
        Case(name: "negative max pids", field: "max_pids") { $0.maxPids = -1 },
        Case(name: "annotation over 10 KiB", field: "annotation") {
            $0.annotation = String(repeating: "a", count: 10 * 1024 + 1)
        },
        Case(name: "routes over 128 KiB", field: "routes") {
            $0.routes.routes = ["cf-router": Data(count: 100 * 1024), "tcp-router": Data(count: 28 * 1024 + 1)]
        },
        Case(name: "no action", field: "action") { $0.clearAction() },
        Case(name: "an action with no sub-action", field: "action.inner-action") { $0.action = Diego_Bbs_Action() },
        Case(name: "an action with two sub-actions", field: "action.inner-action") {
            $0.action.runAction = Fixtures.runAction().runAction
            $0.action.tryAction.action = Fixtures.runAction()
        },
        Case(
            name: "a run action without a user, deep in the tree",
            field: "action.codependent.actions[0].serial.actions[1].timeout.action.run.user"
        ) {
            $0.action.codependentAction.actions[0].serialAction.actions[1].timeoutAction.action.runAction.user = ""
        },
        Case(name: "a run action without a path", field: "monitor.run.path") { $0.monitor.runAction.path = "" },
        Case(name: "a timeout of zero", field: "action.codependent.actions[0].serial.actions[1].timeout.timeout_ms") {
            $0.action.codependentAction.actions[0].serialAction.actions[1].timeoutAction.timeoutMs = 0
        },
        Case(name: "an empty serial action", field: "setup.serial.actions") {
            $0.setup = Diego_Bbs_Action()
            $0.setup.serialAction = Diego_Bbs_SerialAction()
        },
        Case(name: "a download with an unknown checksum", field: "setup.download.checksum_algorithm") {
            $0.setup.downloadAction.checksumAlgorithm = "crc32"
        },
        Case(name: "an icmp rule with ports", field: "egress_rules[0].ports") { $0.egressRules[0].protocol = "icmp" },
        Case(name: "an unknown protocol", field: "egress_rules[0].protocol") { $0.egressRules[0].protocol = "sctp" },
        Case(name: "a destination that is not an IP", field: "egress_rules[0].destinations") {
            $0.egressRules[0].destinations = ["10.0.0.1", "example.com"]
        },
        Case(name: "a descending IP range", field: "egress_rules[0].destinations") {
            $0.egressRules[0].destinations = ["10.0.0.9-10.0.0.1"]
        },
        Case(name: "a CIDR block with a prefix over 32", field: "egress_rules[0].destinations") {
            $0.egressRules[0].destinations = ["10.0.0.0/33"]
        },
        Case(name: "an icmpv6 rule without icmp info", field: "egress_rules[0].icmpv6_info") {
            $0.egressRules[0].protocol = "icmpv6"
            $0.egressRules[0].ports = []
        },
        Case(name: "an exclusive image layer without a legacy download user", field: "legacy_download_user") {
            var layer = Diego_Bbs_ImageLayer()
            layer.url = "https://blobs/layer.tgz"
            layer.destinationPath = "/app"
            layer.layerType = .exclusive
            layer.mediaType = .tgz
            layer.digestAlgorithm = .sha256
            layer.digestValue = "abc"
            $0.imageLayers = [layer]
        },
        Case(name: "an image password without a user", field: "image_username") { $0.imagePassword = "pw" },
        Case(name: "a metric tag with static and dynamic", field: "metric_tags[instance_id].value") {
            $0.metricTags["instance_id"]?.static = "x"
        },
        Case(name: "source_id differing from metrics_guid", field: "metric_tags") { $0.metricsGuid = "other" },
        Case(name: "volume-mounted files over 1 MiB", field: "volume_mounted_files") {
            $0.volumeMountedFiles[0].content = String(repeating: "x", count: 1024 * 1024 + 1)
        },
        Case(name: "a log rate limit under -1", field: "log_rate_limit") { $0.logRateLimit.bytesPerSecond = -2 },
        Case(name: "a check with no port", field: "check_definition.checks[0].tcp_check.port") {
            $0.checkDefinition.checks[0].tcpCheck.port = 0
        },
    ]

    @Test("a complete desired LRP is valid, and so are both of its halves")
    func valid() throws {
        let lrp = Fixtures.desiredLRP()
        try lrp.validate()
        let (schedulingInfo, runInfo) = lrp.split(createdAt: 1)
        try schedulingInfo.validate()
        try runInfo.validate()
    }

    @Test("the limits themselves are allowed")
    func atTheLimits() throws {
        var lrp = Fixtures.desiredLRP()
        lrp.annotation = String(repeating: "a", count: 10 * 1024)
        lrp.routes.routes = ["cf-router": Data(count: 128 * 1024)]
        lrp.instances = 0
        lrp.rootFs = "docker:///cloudfoundry/grace"
        lrp.egressRules[0].destinations = ["10.0.0.1,10.0.0.2", "10.0.0.1-10.0.0.1", "fd00::/8", "::1", "0.0.0.0/0"]
        try lrp.validate()
    }

    @Test("an invalid desired LRP names the field and says what is wrong", arguments: invalid)
    func invalidField(_ c: Case) {
        var lrp = Fixtures.desiredLRP()
        c.mutate(&lrp)
        let error = #expect(throws: ModelError.self) { try lrp.validate() }
        #expect(error?.kind == .invalidRecord)
        #expect(error?.fields.contains(c.field) == true, "fields: \(error?.fields ?? [])")
        #expect(error?.message.contains(c.field) == true)
    }

    @Test("every problem is reported at once")
    func allProblems() {
        var lrp = Fixtures.desiredLRP()
        lrp.domain = ""
        lrp.instances = -1
        lrp.memoryMb = -5
        let error = #expect(throws: ModelError.self) { try lrp.validate() }
        #expect(error?.fields == ["domain", "instances", "memory_mb"])
    }

    @Test("the scheduling info checks its key, resource and limits")
    func schedulingInfo() {
        var info = Fixtures.desiredLRP().schedulingInfo
        info.desiredLrpResource.rootFs = "nope"
        info.instances = -2
        let error = #expect(throws: ModelError.self) { try info.validate() }
        #expect(error?.fields == ["rootfs", "instances"])
    }

    @Test("an update is checked: instances, annotation, image credentials together")
    func update() throws {
        var update = Diego_Bbs_DesiredLRPUpdate()
        update.instances = 4
        update.annotation = "new"
        try update.validate()
        update.instances = -1
        update.imageUsername = "user"
        let error = #expect(throws: ModelError.self) { try update.validate() }
        #expect(error?.fields == ["instances", "image_password"])
    }
}
