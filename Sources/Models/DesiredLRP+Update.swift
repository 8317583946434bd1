/// How a `DesiredLRPUpdate` changes the stored halves (Diego's `DesiredLRPSchedulingInfo.ApplyUpdate`
/// plus the run-info columns its SQL update writes): only the fields the update carries change, and
/// every applied update bumps the modification tag's index.
extension Diego_Bbs_DesiredLRPSchedulingInfo {
    /// Applies instances, routes, annotation and metric tags when the update carries them, then
    /// increments the modification tag.
    public mutating func apply(_ update: Diego_Bbs_DesiredLRPUpdate) {
        if case .instances(let instances)? = update.optionalInstances { self.instances = instances }
        if update.hasRoutes { routes = update.routes }
        if case .annotation(let annotation)? = update.optionalAnnotation { self.annotation = annotation }
        if !update.metricTags.isEmpty { metricTags = update.metricTags }
        modificationTag.increment()
    }
}

extension Diego_Bbs_DesiredLRPRunInfo {
    /// Applies the image credentials when the update carries them. Returns whether anything changed.
    @discardableResult
    public mutating func apply(_ update: Diego_Bbs_DesiredLRPUpdate) -> Bool {
        var changed = false
        if case .imageUsername(let username)? = update.optionalImageUsername, username != imageUsername {
            imageUsername = username
            changed = true
        }
        if case .imagePassword(let password)? = update.optionalImagePassword, password != imagePassword {
            imagePassword = password
            changed = true
        }
        return changed
    }
}

extension Diego_Bbs_ModificationTag {
    /// Diego's `ModificationTag.Increment`: the next index of the same epoch.
    public mutating func increment() {
        index &+= 1
    }
}
