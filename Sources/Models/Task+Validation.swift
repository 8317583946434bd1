/// Diego's validation of tasks (models/task.go): what DesireTask refuses with InvalidRecord.
extension Diego_Bbs_TaskDefinition {
    /// Throws `ModelError.invalidRecord` listing every invalid field.
    public func validate() throws(ModelError) {
        var v = Validator()
        validate(into: &v)
        try v.finish()
    }

    func validate(into v: inout Validator) {
        SharedValidation.rootFS(rootFs, into: &v)
        if hasAction {
            v.nested("action") { action.validate(into: &$0) }
        } else {
            v.fail("action", "is required")
        }
        v.check(memoryMb >= 0, "memory_mb", "must not be negative")
        v.check(diskMb >= 0, "disk_mb", "must not be negative")
        SharedValidation.logRateLimit(has: hasLogRateLimit, logRateLimit, into: &v)
        v.check(maxPids >= 0, "max_pids", "must not be negative")
        v.check(
            annotation.utf8.count <= ModelLimits.maximumAnnotationLength, "annotation",
            "is \(annotation.utf8.count) bytes, the limit is \(ModelLimits.maximumAnnotationLength)")
        SharedValidation.list("egress_rules", egressRules, into: &v) { $0.validate(into: &$1) }
        SharedValidation.imageCredentials(username: imageUsername, password: imagePassword, into: &v)
        SharedValidation.list("cached_dependencies", cachedDependencies, into: &v) { $0.validate(into: &$1) }
        SharedValidation.imageLayers(imageLayers, legacyDownloadUser: legacyDownloadUser, into: &v)
        SharedValidation.list("volume_mounts", volumeMounts, into: &v) { $0.validate(into: &$1) }
        SharedValidation.metricTags(metricTags, metricsGuid: "", into: &v)
        SharedValidation.volumeMountedFiles(volumeMountedFiles, into: &v)
    }
}

extension Diego_Bbs_Task {
    /// Throws `ModelError.invalidRecord` listing every invalid field: domain, task guid, definition.
    public func validate() throws(ModelError) {
        var v = Validator()
        v.check(!domain.isEmpty, "domain", "is required")
        SharedValidation.guid("task_guid", taskGuid, into: &v)
        if hasTaskDefinition {
            taskDefinition.validate(into: &v)
        } else {
            v.fail("task_definition", "is required")
        }
        try v.finish()
    }
}
