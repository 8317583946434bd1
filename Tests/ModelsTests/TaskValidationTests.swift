import Models
import Testing

@Suite("Task validation")
struct TaskValidationTests {
    @Test("a complete task is valid")
    func valid() throws {
        try Fixtures.task().validate()
    }

    @Test(
        "domain, guid, rootfs, action and limits are checked",
        arguments: [
            ("domain", { @Sendable (t: inout Diego_Bbs_Task) in t.domain = "" }),
            ("task_guid", { @Sendable (t: inout Diego_Bbs_Task) in t.taskGuid = "bad guid!" }),
            ("rootfs", { @Sendable (t: inout Diego_Bbs_Task) in t.taskDefinition.rootFs = "busybox" }),
            ("action", { @Sendable (t: inout Diego_Bbs_Task) in t.taskDefinition.clearAction() }),
            ("memory_mb", { @Sendable (t: inout Diego_Bbs_Task) in t.taskDefinition.memoryMb = -1 }),
            (
                "annotation",
                { @Sendable (t: inout Diego_Bbs_Task) in
                    t.taskDefinition.annotation = String(repeating: "x", count: 10 * 1024 + 1)
                }
            ),
            ("task_definition", { @Sendable (t: inout Diego_Bbs_Task) in t.clearTaskDefinition() }),
        ] as [(String, @Sendable (inout Diego_Bbs_Task) -> Void)])
    func invalid(field: String, mutate: @Sendable (inout Diego_Bbs_Task) -> Void) {
        var task = Fixtures.task()
        mutate(&task)
        let error = #expect(throws: ModelError.self) { try task.validate() }
        #expect(error?.fields.contains(field) == true, "fields: \(error?.fields ?? [])")
    }

    @Test(
        "root filesystem schemes follow Go's url.Parse",
        arguments: [
            ("preloaded:cflinuxfs4", true), ("docker:///busybox", true), ("docker://registry/img", true),
            ("cflinuxfs4", false), (":nope", false), ("1abc:x", false), ("", false),
        ])
    func rootFSScheme(rootFS: String, valid: Bool) {
        #expect(ModelLimits.hasURLScheme(rootFS) == valid)
    }
}
