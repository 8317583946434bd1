/// The conversion between API 1.0's whole `DesiredLRP` and the two records bbs stores
/// (the frequently read scheduling info, the rarely read run info).
///
/// Lossless both ways for every field that exists on both sides, message presence included:
/// `DesiredLRP(schedulingInfo: s, runInfo: r).split(createdAt: r.createdAt)` gives back `(s, r)`
/// and `DesiredLRP(split(d))` gives back `d`. Two asymmetries are by design:
/// - `created_at` exists only in the run info (Diego stamps it on desire), so `split` takes it.
/// - a scheduling info's volume placement is, as in Diego, the drivers of the run info's volume mounts
///   unless the whole DesiredLRP names one explicitly (bbs field 100); the merge keeps it explicit only
///   when it differs from the derived one.
/// - metric tags live in the scheduling info (bbs field 100; Diego moved them out of run info into
///   a desired_lrps column in 2024); a Diego-era run info's deprecated `metric_tags` (25) is used by
///   the merge only when the scheduling info has none.
extension Diego_Bbs_DesiredLRP {
    /// The scheduling info and run info halves of this desired LRP; `createdAt` (unix ns) stamps the run info.
    public func split(createdAt: Int64 = 0) -> (
        schedulingInfo: Diego_Bbs_DesiredLRPSchedulingInfo, runInfo: Diego_Bbs_DesiredLRPRunInfo
    ) {
        (schedulingInfo, runInfo(createdAt: createdAt))
    }

    /// The key shared by both halves.
    public var desiredLRPKey: Diego_Bbs_DesiredLRPKey {
        var key = Diego_Bbs_DesiredLRPKey()
        key.processGuid = processGuid
        key.domain = domain
        key.logGuid = logGuid
        return key
    }

    /// The frequently read half.
    public var schedulingInfo: Diego_Bbs_DesiredLRPSchedulingInfo {
        var s = Diego_Bbs_DesiredLRPSchedulingInfo()
        s.desiredLrpKey = desiredLRPKey
        s.annotation = annotation
        s.instances = instances
        s.desiredLrpResource.memoryMb = memoryMb
        s.desiredLrpResource.diskMb = diskMb
        s.desiredLrpResource.rootFs = rootFs
        s.desiredLrpResource.maxPids = maxPids
        if hasRoutes { s.routes = routes }
        if hasModificationTag { s.modificationTag = modificationTag }
        if hasVolumePlacement {
            s.volumePlacement = volumePlacement
        } else if let derived = Self.volumePlacement(for: volumeMounts) {
            s.volumePlacement = derived
        }
        s.placementTags = placementTags
        s.metricTags = metricTags
        s.updateStrategy = updateStrategy
        return s
    }

    /// The rarely read half, stamped with `createdAt` (unix ns).
    public func runInfo(createdAt: Int64) -> Diego_Bbs_DesiredLRPRunInfo {
        var r = Diego_Bbs_DesiredLRPRunInfo()
        r.desiredLrpKey = desiredLRPKey
        r.environmentVariables = environmentVariables
        if hasSetup { r.setup = setup }
        if hasAction { r.action = action }
        if hasMonitor { r.monitor = monitor }
        r.deprecatedStartTimeoutS = deprecatedStartTimeoutS
        r.privileged = privileged
        r.cpuWeight = cpuWeight
        r.ports = ports
        r.egressRules = egressRules
        r.logSource = logSource
        r.metricsGuid = metricsGuid
        r.createdAt = createdAt
        r.cachedDependencies = cachedDependencies
        r.legacyDownloadUser = legacyDownloadUser
        r.trustedSystemCertificatesPath = trustedSystemCertificatesPath
        r.volumeMounts = volumeMounts
        if hasNetwork { r.network = network }
        r.startTimeoutMs = startTimeoutMs
        if hasCertificateProperties { r.certificateProperties = certificateProperties }
        r.imageUsername = imageUsername
        r.imagePassword = imagePassword
        if hasCheckDefinition { r.checkDefinition = checkDefinition }
        r.imageLayers = imageLayers
        r.sidecars = sidecars
        if hasLogRateLimit { r.logRateLimit = logRateLimit }
        r.volumeMountedFiles = volumeMountedFiles
        return r
    }

    /// The whole desired LRP of API 1.0, merged from its two stored halves.
    public init(schedulingInfo s: Diego_Bbs_DesiredLRPSchedulingInfo, runInfo r: Diego_Bbs_DesiredLRPRunInfo) {
        self.init()
        processGuid = s.desiredLrpKey.processGuid
        domain = s.desiredLrpKey.domain
        logGuid = s.desiredLrpKey.logGuid
        annotation = s.annotation
        instances = s.instances
        memoryMb = s.desiredLrpResource.memoryMb
        diskMb = s.desiredLrpResource.diskMb
        rootFs = s.desiredLrpResource.rootFs
        maxPids = s.desiredLrpResource.maxPids
        if s.hasRoutes { routes = s.routes }
        if s.hasModificationTag { modificationTag = s.modificationTag }
        if s.hasVolumePlacement && s.volumePlacement != Self.volumePlacement(for: r.volumeMounts) {
            volumePlacement = s.volumePlacement
        }
        placementTags = s.placementTags
        metricTags = s.metricTags.isEmpty ? r.metricTags : s.metricTags
        updateStrategy = s.updateStrategy

        environmentVariables = r.environmentVariables
        if r.hasSetup { setup = r.setup }
        if r.hasAction { action = r.action }
        if r.hasMonitor { monitor = r.monitor }
        deprecatedStartTimeoutS = r.deprecatedStartTimeoutS
        privileged = r.privileged
        cpuWeight = r.cpuWeight
        ports = r.ports
        egressRules = r.egressRules
        logSource = r.logSource
        metricsGuid = r.metricsGuid
        cachedDependencies = r.cachedDependencies
        legacyDownloadUser = r.legacyDownloadUser
        trustedSystemCertificatesPath = r.trustedSystemCertificatesPath
        volumeMounts = r.volumeMounts
        if r.hasNetwork { network = r.network }
        startTimeoutMs = r.startTimeoutMs
        if r.hasCertificateProperties { certificateProperties = r.certificateProperties }
        imageUsername = r.imageUsername
        imagePassword = r.imagePassword
        if r.hasCheckDefinition { checkDefinition = r.checkDefinition }
        imageLayers = r.imageLayers
        sidecars = r.sidecars
        if r.hasLogRateLimit { logRateLimit = r.logRateLimit }
        volumeMountedFiles = r.volumeMountedFiles
    }

    /// Diego's derived volume placement: the driver of every volume mount, or nil without mounts.
    public static func volumePlacement(for mounts: [Diego_Bbs_VolumeMount]) -> Diego_Bbs_VolumePlacement? {
        guard !mounts.isEmpty else { return nil }
        var placement = Diego_Bbs_VolumePlacement()
        placement.driverNames = mounts.map(\.driver)
        return placement
    }
}
