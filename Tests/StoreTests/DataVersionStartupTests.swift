import Store
import Testing

@Suite("DataVersionStartup")
struct DataVersionStartupTests {
    /// Proposal A, row by row, with BBS = 3.
    static let rows: [(current: Int?, target: Int?, expected: String)] = [
        (nil, nil, "initialize"),
        (1, 1, "begin 1→3"), (2, 1, "begin 2→3"), (1, 2, "begin 1→3"),
        (1, 3, "continue 1→3"), (2, 3, "continue 2→3"),
        (1, 4, "shut down"), (2, 5, "shut down"),
        (3, 1, "shut down"), (3, 2, "shut down"),
        (3, 3, "serve"),
        (3, 4, "shut down"),
        (4, 4, "shut down"), (4, 1, "shut down"), (5, 3, "shut down"),
        (3, nil, "shut down"), (nil, 3, "shut down"),
    ]

    static func summary(_ action: DataVersionStartup.Action) -> String {
        switch action {
        case .initialize(let version): version == DataVersion(current: 3, target: 3) ? "initialize" : "initialize?"
        case .beginMigration(let from, let to): "begin \(from)→\(to)"
        case .continueMigration(let from, let to): "continue \(from)→\(to)"
        case .serve: "serve"
        case .shutDown: "shut down"
        }
    }

    @Test("every row of the Proposal A table", arguments: rows)
    func row(_ row: (current: Int?, target: Int?, expected: String)) {
        let action = DataVersionStartup(binaryVersion: 3).decide(current: row.current, target: row.target)
        #expect(Self.summary(action) == row.expected)
    }

    @Test("every shut-down says what happened and what to do, naming a command or a release", arguments: rows)
    func shutDownMessages(_ row: (current: Int?, target: Int?, expected: String)) {
        guard case .shutDown(let reason) = DataVersionStartup(binaryVersion: 3).decide(current: row.current, target: row.target)
        else { return }
        #expect(!reason.whatHappened.isEmpty)
        #expect(reason.whatToDo.contains("bbs migrate") || reason.whatToDo.contains("release") || reason.whatToDo.contains("write"))
        #expect(reason.description.contains(reason.whatToDo))
    }

    @Test("the compiled-in data version is 3")
    func compiledIn() {
        #expect(BBSDataVersion == 3)
        #expect(DataVersionStartup().binaryVersion == 3)
    }
}
