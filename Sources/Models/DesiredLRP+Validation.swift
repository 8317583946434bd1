/// Diego's validation of the desired LRP family (models/desired_lrp.go): what DesireLRP,
/// DesireLRP_1_0 and UpdateDesiredLRP refuse with InvalidRecord / InvalidRequest.
extension Diego_Bbs_DesiredLRPKey {
    func validate(into v: inout Validator) {
        v.check(!domain.isEmpty, "domain", "is required")
        SharedValidation.guid("process_guid", processGuid, into: &v)
    }
}

extension Diego_Bbs_DesiredLRPResource {
    func validate(into v: inout Validator) {
        SharedValidation.rootFS(rootFs, into: &v)
        v.check(memoryMb >= 0, "memory_mb", "must not be negative")
        v.check(diskMb >= 0, "disk_mb", "must not be negative")
        v.check(maxPids >= 0, "max_pids", "must not be negative")
    }
}

extension Diego_Bbs_DesiredLRPSchedulingInfo {
    /// Throws `ModelError.invalidRecord` listing every invalid field.
    public func validate() throws(ModelError) {
        var v = Validator()
        desiredLrpKey.validate(into: &v)
        desiredLrpResource.validate(into: &v)
        v.check(instances >= 0, "instances", "must not be negative")
        v.check(
            annotation.utf8.count <= ModelLimits.maximumAnnotationLength, "annotation",
            "is \(annotation.utf8.count) bytes, the limit is \(ModelLimits.maximumAnnotationLength)")
        let routesLength = ModelLimits.routesLength(routes.routes)
        v.check(
            routesLength <= ModelLimits.maximumRoutesLength, "routes",
            "are \(routesLength) bytes, the limit is \(ModelLimits.maximumRoutesLength)")
        SharedValidation.metricTags(metricTags, metricsGuid: "", into: &v)
        try v.finish()
    }
}

extension Diego_Bbs_DesiredLRPRunInfo {
    /// Throws `ModelError.invalidRecord` listing every invalid field.
    public func validate() throws(ModelError) {
        var v = Validator()
        validate(into: &v)
        try v.finish()
    }

    func validate(into v: inout Validator) {
        desiredLrpKey.validate(into: &v)
        SharedValidation.volumeMountedFiles(volumeMountedFiles, into: &v)
        if hasSetup { v.nested("setup") { setup.validate(into: &$0) } }
        if hasAction {
            v.nested("action") { action.validate(into: &$0) }
        } else {
            v.fail("action", "is required")
        }
        if hasMonitor { v.nested("monitor") { monitor.validate(into: &$0) } }
        SharedValidation.list("env", environmentVariables, into: &v) { $0.validate(into: &$1) }
        SharedValidation.list("egress_rules", egressRules, into: &v) { $0.validate(into: &$1) }
        SharedValidation.list("cached_dependencies", cachedDependencies, into: &v) { $0.validate(into: &$1) }
        SharedValidation.imageLayers(imageLayers, legacyDownloadUser: legacyDownloadUser, into: &v)
        SharedValidation.list("sidecars", sidecars, into: &v) { $0.validate(into: &$1) }
        SharedValidation.list("volume_mounts", volumeMounts, into: &v) { $0.validate(into: &$1) }
        SharedValidation.imageCredentials(username: imageUsername, password: imagePassword, into: &v)
        if hasCheckDefinition { v.nested("check_definition") { checkDefinition.validate(into: &$0) } }
        SharedValidation.logRateLimit(has: hasLogRateLimit, logRateLimit, into: &v)
    }
}

extension Diego_Bbs_DesiredLRP {
    /// Throws `ModelError.invalidRecord` listing every invalid field: the whole API 1.0 record,
    /// checked as Diego checks it (its own fields, then its run info).
    public func validate() throws(ModelError) {
        var v = Validator()
        v.check(!domain.isEmpty, "domain", "is required")
        SharedValidation.guid("process_guid", processGuid, into: &v)
        SharedValidation.rootFS(rootFs, into: &v)
        v.check(instances >= 0, "instances", "must not be negative")
        v.check(memoryMb >= 0, "memory_mb", "must not be negative")
        v.check(diskMb >= 0, "disk_mb", "must not be negative")
        v.check(maxPids >= 0, "max_pids", "must not be negative")
        v.check(
            annotation.utf8.count <= ModelLimits.maximumAnnotationLength, "annotation",
            "is \(annotation.utf8.count) bytes, the limit is \(ModelLimits.maximumAnnotationLength)")
        let routesLength = ModelLimits.routesLength(routes.routes)
        v.check(
            routesLength <= ModelLimits.maximumRoutesLength, "routes",
            "are \(routesLength) bytes, the limit is \(ModelLimits.maximumRoutesLength)")
        SharedValidation.metricTags(metricTags, metricsGuid: metricsGuid, into: &v)
        // The run info repeats the key fields already checked above; keep only its own findings.
        var runInfoProblems = Validator()
        split().runInfo.validate(into: &runInfoProblems)
        let seen = Set(v.problems.map(\.field))
        for problem in runInfoProblems.problems where !seen.contains(problem.field) {
            v.fail(problem.field, problem.reason)
        }
        try v.finish()
    }
}

extension Diego_Bbs_DesiredLRPUpdate {
    /// Throws `ModelError.invalidRecord` listing every invalid field of an update request.
    public func validate() throws(ModelError) {
        var v = Validator()
        v.check(instances >= 0, "instances", "must not be negative")
        v.check(
            annotation.utf8.count <= ModelLimits.maximumAnnotationLength, "annotation",
            "is \(annotation.utf8.count) bytes, the limit is \(ModelLimits.maximumAnnotationLength)")
        let routesLength = ModelLimits.routesLength(routes.routes)
        v.check(
            routesLength <= ModelLimits.maximumRoutesLength, "routes",
            "are \(routesLength) bytes, the limit is \(ModelLimits.maximumRoutesLength)")
        SharedValidation.metricTags(metricTags, metricsGuid: "", into: &v)
        let hasUsername = optionalImageUsername != nil
        let hasPassword = optionalImagePassword != nil
        if hasUsername && !hasPassword { v.fail("image_password", "must be given with image_username") }
        if !hasUsername && hasPassword { v.fail("image_username", "must be given with image_password") }
        try v.finish()
    }
}
