import Foundation
import Models
import Testing

@Suite("Desired LRP updates")
struct DesiredLRPUpdateTests {
    @Test("only the fields an update carries change, and the modification index grows")
    func applyToSchedulingInfo() {
        let lrp = Fixtures.desiredLRP()
        var info = lrp.schedulingInfo
        var update = Diego_Bbs_DesiredLRPUpdate()
        update.instances = 0
        info.apply(update)
        #expect(info.instances == 0)
        #expect(info.annotation == lrp.annotation && info.routes == lrp.routes && info.metricTags == lrp.metricTags)
        #expect(info.modificationTag.epoch == "epoch-1" && info.modificationTag.index == 5)

        var second = Diego_Bbs_DesiredLRPUpdate()
        second.annotation = ""
        second.routes.routes = ["tcp-router": Data("[]".utf8)]
        info.apply(second)
        #expect(info.instances == 0 && info.annotation == "" && info.routes == second.routes)
        #expect(info.modificationTag.index == 6)
    }

    @Test("image credentials update the run info only when given and different")
    func applyToRunInfo() {
        var runInfo = Fixtures.desiredLRP().runInfo(createdAt: 1)
        var update = Diego_Bbs_DesiredLRPUpdate()
        let nothing = runInfo.apply(update)
        #expect(!nothing)
        update.imageUsername = "user"
        update.imagePassword = "secret"
        let changed = runInfo.apply(update)
        #expect(changed)
        #expect(runInfo.imageUsername == "user" && runInfo.imagePassword == "secret")
        let again = runInfo.apply(update)
        #expect(!again)
    }

    @Test("a desired LRP with volume mounts schedules on their drivers, as Diego derived it")
    func derivedVolumePlacement() {
        var lrp = Fixtures.desiredLRP()
        lrp.clearVolumePlacement()
        var mount = Diego_Bbs_VolumeMount()
        mount.driver = "nfsv3driver"
        mount.containerDir = "/data"
        mount.mode = "rw"
        mount.shared.volumeID = "vol-1"
        lrp.volumeMounts = [mount]
        let (info, runInfo) = lrp.split()
        #expect(info.volumePlacement.driverNames == ["nfsv3driver"])
        let merged = Diego_Bbs_DesiredLRP(schedulingInfo: info, runInfo: runInfo)
        #expect(merged == lrp)
        #expect(!merged.hasVolumePlacement)
    }
}
