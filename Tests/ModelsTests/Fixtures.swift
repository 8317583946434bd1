import Foundation
import Models

/// Realistic records for the model tests: a CC-style desired LRP with every kind of field set.
enum Fixtures {
    static func runAction(path: String = "/tmp/lifecycle/launcher", user: String = "vcap") -> Diego_Bbs_Action {
        var run = Diego_Bbs_RunAction()
        run.path = path
        run.user = user
        run.args = ["app", "bundle exec rackup", "{}"]
        run.env = [env("PORT", "8080")]
        run.resourceLimits.nofile = 16384
        var action = Diego_Bbs_Action()
        action.runAction = run
        return action
    }

    static func env(_ name: String, _ value: String) -> Diego_Bbs_EnvironmentVariable {
        var variable = Diego_Bbs_EnvironmentVariable()
        variable.name = name
        variable.value = value
        return variable
    }

    static func desiredLRP(guid: String = "app-guid-1_version-1") -> Diego_Bbs_DesiredLRP {
        var d = Diego_Bbs_DesiredLRP()
        d.processGuid = guid
        d.domain = "cf-apps"
        d.logGuid = "log-guid"
        d.rootFs = "preloaded:cflinuxfs4"
        d.instances = 3
        d.memoryMb = 256
        d.diskMb = 1024
        d.maxPids = 1024
        d.cpuWeight = 10
        d.privileged = false
        d.ports = [8080, 2222]
        d.annotation = "etag-123"
        d.environmentVariables = [env("LANG", "en_US.UTF-8")]
        var download = Diego_Bbs_DownloadAction()
        download.from = "http://file-server/droplet.tgz"
        download.to = "/home/vcap"
        download.user = "vcap"
        download.checksumAlgorithm = "sha256"
        download.checksumValue = "abc"
        d.setup.downloadAction = download
        var timeout = Diego_Bbs_TimeoutAction()
        timeout.action = runAction()
        timeout.timeoutMs = 60_000
        var serial = Diego_Bbs_SerialAction()
        var timeoutAction = Diego_Bbs_Action()
        timeoutAction.timeoutAction = timeout
        serial.actions = [runAction(), timeoutAction]
        var codependent = Diego_Bbs_CodependentAction()
        var serialAction = Diego_Bbs_Action()
        serialAction.serialAction = serial
        codependent.actions = [serialAction, runAction(path: "/bin/sidecar")]
        d.action.codependentAction = codependent
        var tcp = Diego_Bbs_Check()
        tcp.tcpCheck.port = 8080
        d.checkDefinition.checks = [tcp]
        d.monitor = runAction(path: "/tmp/lifecycle/healthcheck")
        d.startTimeoutMs = 60_000
        d.routes.routes = ["cf-router": Data(#"[{"hostnames":["app.example.com"],"port":8080}]"#.utf8)]
        d.logSource = "CELL"
        d.metricsGuid = "metrics-guid"
        d.metricTags = [
            "source_id": {
                var tag = Diego_Bbs_MetricTagValue()
                tag.static = "metrics-guid"
                return tag
            }(),
            "instance_id": {
                var tag = Diego_Bbs_MetricTagValue()
                tag.dynamic = .index
                return tag
            }(),
        ]
        var rule = Diego_Bbs_SecurityGroupRule()
        rule.protocol = "tcp"
        rule.destinations = ["10.0.0.0/8"]
        rule.ports = [443]
        d.egressRules = [rule]
        d.modificationTag.epoch = "epoch-1"
        d.modificationTag.index = 4
        d.placementTags = ["isolation-a"]
        d.network.properties = ["policy_group_id": "pg"]
        d.certificateProperties.organizationalUnit = ["app:guid"]
        d.logRateLimit.bytesPerSecond = -1
        d.volumePlacement.driverNames = ["nfs"]
        d.updateStrategy = .recreate
        var file = Diego_Bbs_File()
        file.path = "/etc/cf-service-bindings/x"
        file.content = "secret"
        d.volumeMountedFiles = [file]
        return d
    }

    static func actualLRP(
        _ state: ActualLRPState,
        instance: Diego_Bbs_ActualLRPInstanceKey = .init(instanceGuid: "ig-1", cellID: "cell-1")
    ) -> Diego_Bbs_ActualLRP {
        var lrp = Diego_Bbs_ActualLRP()
        lrp.actualLrpKey = .init(processGuid: "pg", index: 0, domain: "cf-apps")
        lrp.lrpState = state
        lrp.since = 1
        if state == .claimed || state == .running { lrp.actualLrpInstanceKey = instance }
        if state == .running { lrp.actualLrpNetInfo.address = "10.0.0.1" }
        return lrp
    }

    static func task(_ state: Diego_Bbs_Task.State = .pending) -> Diego_Bbs_Task {
        var task = Diego_Bbs_Task()
        task.taskGuid = "task-guid"
        task.domain = "cf-tasks"
        task.state = state
        task.taskDefinition.rootFs = "docker:///busybox"
        task.taskDefinition.action = runAction()
        task.taskDefinition.memoryMb = 128
        return task
    }
}
