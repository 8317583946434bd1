/// Diego's rules for the action tree (models/actions.go): every `Action` sets exactly one
/// sub-action, and each sub-action has its required fields.
extension Diego_Bbs_Action {
    /// The names of the sub-actions that are set, in field order.
    public var setSubActions: [String] {
        var names: [String] = []
        if hasDownloadAction { names.append("download") }
        if hasUploadAction { names.append("upload") }
        if hasRunAction { names.append("run") }
        if hasTimeoutAction { names.append("timeout") }
        if hasEmitProgressAction { names.append("emit_progress") }
        if hasTryAction { names.append("try") }
        if hasParallelAction { names.append("parallel") }
        if hasSerialAction { names.append("serial") }
        if hasCodependentAction { names.append("codependent") }
        return names
    }

    /// Throws `ModelError.invalidRecord` naming every problem in the tree.
    public func validate() throws(ModelError) {
        var validator = Validator()
        validate(into: &validator)
        try validator.finish()
    }

    func validate(into v: inout Validator) {
        let set = setSubActions
        guard set.count == 1, let kind = set.first else {
            v.fail(
                "inner-action",
                set.isEmpty
                    ? "an action must set one sub-action, none is set"
                    : "an action must set exactly one sub-action, found \(set.joined(separator: ", "))")
            return
        }
        v.nested(kind) { v in
            switch kind {
            case "download": downloadAction.validate(into: &v)
            case "upload": uploadAction.validate(into: &v)
            case "run": runAction.validate(into: &v)
            case "timeout":
                Self.validateInner(timeoutAction.hasAction, timeoutAction.action, into: &v)
                v.check(timeoutAction.timeoutMs > 0, "timeout_ms", "must be greater than 0")
            case "emit_progress":
                Self.validateInner(emitProgressAction.hasAction, emitProgressAction.action, into: &v)
            case "try": Self.validateInner(tryAction.hasAction, tryAction.action, into: &v)
            case "parallel": Self.validateList(parallelAction.actions, into: &v)
            case "serial": Self.validateList(serialAction.actions, into: &v)
            default: Self.validateList(codependentAction.actions, into: &v)
            }
        }
    }

    private static func validateInner(_ present: Bool, _ action: Diego_Bbs_Action, into v: inout Validator) {
        guard present else {
            v.fail("action", "is required")
            return
        }
        v.nested("action") { action.validate(into: &$0) }
    }

    private static func validateList(_ actions: [Diego_Bbs_Action], into v: inout Validator) {
        guard !actions.isEmpty else {
            v.fail("actions", "must contain at least one action")
            return
        }
        for (index, action) in actions.enumerated() {
            v.nested("actions[\(index)]") { action.validate(into: &$0) }
        }
    }
}

extension Diego_Bbs_DownloadAction {
    func validate(into v: inout Validator) {
        v.check(!from.isEmpty, "from", "is required")
        v.check(!to.isEmpty, "to", "is required")
        v.check(!user.isEmpty, "user", "is required")
        if !checksumValue.isEmpty && checksumAlgorithm.isEmpty {
            v.fail("checksum_algorithm", "is required when checksum_value is set")
        }
        if checksumValue.isEmpty && !checksumAlgorithm.isEmpty {
            v.fail("checksum_value", "is required when checksum_algorithm is set")
        }
        if !checksumValue.isEmpty && !checksumAlgorithm.isEmpty {
            v.check(
                ["md5", "sha1", "sha256"].contains(checksumAlgorithm.lowercased()), "checksum_algorithm",
                "must be md5, sha1 or sha256, not \(checksumAlgorithm)")
        }
    }
}

extension Diego_Bbs_UploadAction {
    func validate(into v: inout Validator) {
        v.check(!to.isEmpty, "to", "is required")
        v.check(!from.isEmpty, "from", "is required")
        v.check(!user.isEmpty, "user", "is required")
    }
}

extension Diego_Bbs_RunAction {
    func validate(into v: inout Validator) {
        v.check(!path.isEmpty, "path", "is required")
        v.check(!user.isEmpty, "user", "is required")
    }
}
