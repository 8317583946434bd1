import Foundation
import Testing
import TestSupport

/// README's first steps, `make run` and then `bbsctl ping`, without `make run`'s rebuild (too slow for a
/// test): the built `bbs` is started with the command line of the Makefile's `run` target, read from the
/// Makefile itself so the test follows it when it changes, on a free port and with temporary paths, and
/// with development certificates made by the script that `make certs` runs; then the built `bbsctl ping`.
@Suite("MakeRun")
struct MakeRunTests {
    /// The arguments of the `bbs` command in the `run` target's recipe of `makefile`, with make variables
    /// expanded: `overrides` first (as `make run VAR=value` would), then the Makefile's own assignments.
    static func bbsArguments(makefile: String, overrides: [String: String]) throws -> [String] {
        var variables: [String: String] = [:]
        var recipe: [String] = []
        var inRun = false
        for line in makefile.components(separatedBy: "\n") {
            if inRun {
                if line.hasPrefix("\t") {
                    recipe.append(String(line.dropFirst()))
                    continue
                }
                inRun = false
            }
            if line.hasPrefix("run:") {
                inRun = true
            } else if let match = line.firstMatch(of: /^([A-Za-z_][A-Za-z0-9_]*)\s*(\?=|:=|=)\s*(.*)$/) {
                let name = String(match.1)
                if variables[name] == nil || match.2 != "?=" { variables[name] = String(match.3) }
            }
        }
        let commands = recipe.joined(separator: "\n").replacingOccurrences(of: "\\\n", with: " ")
            .components(separatedBy: "\n")
        for command in commands {
            let tokens = command.split(whereSeparator: \.isWhitespace).map(String.init)
            // The command itself (`bbs`, `exec bbs`, `$$(... --show-bin-path)/bbs`), not `--product bbs`.
            guard
                let index = tokens.indices.first(where: { index in
                    tokens[index].hasSuffix("/bbs")
                        || (tokens[index] == "bbs" && (index == 0 || tokens[index - 1] == "exec"))
                })
            else { continue }
            return tokens[(index + 1)...].map { expand($0, overrides: overrides, variables: variables) }
        }
        throw IntegrationError(
            "the Makefile's run target does not start bbs; its recipe:\n\(recipe.joined(separator: "\n"))")
    }

    /// `$(NAME)` replaced by its value, repeatedly (values may name other variables).
    static func expand(_ text: String, overrides: [String: String], variables: [String: String]) -> String {
        var text = text
        for _ in 0..<8 {
            guard let match = text.firstMatch(of: /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/) else { break }
            let name = String(match.1)
            text.replaceSubrange(match.range, with: overrides[name] ?? variables[name] ?? "")
        }
        return text
    }

    @Test("bbs started as `make run` starts it answers `bbsctl ping` with {\"available\":true}")
    func makeRunThenPing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "bbs-make-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certs = directory.appendingPathComponent("certs").path
        let root = ServerProcess.packageRoot
        let made = try await ChildProcess.run(
            "/bin/bash", [root.appendingPathComponent("certs/make-dev-certs.sh").path, certs],
            output: directory.appendingPathComponent("certs.log").path)
        #expect(made == 0, "certs/make-dev-certs.sh failed")

        let port = Int(try EtcdCluster.freeLoopbackPorts(1)[0])
        let makefile = try String(contentsOf: root.appendingPathComponent("Makefile"), encoding: .utf8)
        var arguments = try Self.bbsArguments(
            makefile: makefile, overrides: ["LISTEN": "127.0.0.1:\(port)", "CERTS": certs])
        // Temporary paths for relative ones (make runs in the package root), and a free debug port.
        for (index, argument) in arguments.enumerated() {
            if argument.hasPrefix("sqlite:"), !argument.hasPrefix("sqlite:/") {
                let path = directory.appendingPathComponent(String(argument.dropFirst("sqlite:".count)))
                try FileManager.default.createDirectory(
                    at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
                arguments[index] = "sqlite:" + path.path
            }
        }
        if let debug = arguments.firstIndex(of: "--debug-address"), debug + 1 < arguments.count {
            arguments[debug + 1] = "127.0.0.1:0"
        } else {
            arguments += ["--debug-address", "127.0.0.1:0"]
        }
        let store = arguments.firstIndex(of: "--store").map { arguments[$0 + 1] }
        #expect(store?.hasPrefix("sqlite:") == true, "make run serves on SQLite: \(arguments)")
        #expect(arguments.contains("127.0.0.1:\(port)"), "make run listens on $(LISTEN): \(arguments)")
        #expect(!arguments.contains("--insecure-plaintext") && arguments.contains("--ca-file"), "\(arguments)")

        let bbs = try BBSProcess(arguments)
        #expect(try await bbs.waitFor("serving data version 3", timeout: .seconds(60)), "\(bbs.standardError)")
        let bbsctl = try ServerProcess.executableURL(named: "bbsctl")
        let ping = try await Python.run(
            executable: bbsctl.path,
            [
                "--bbs-url", "https://127.0.0.1:\(port)", "--ca-file", "\(certs)/ca.pem", "--cert-file",
                "\(certs)/client.pem", "--key-file", "\(certs)/client.key", "ping",
            ], timeout: .seconds(30))
        #expect(ping.status == 0, "\(ping.standardError)\n\(bbs.standardError)")
        #expect(ping.standardOutput == "{\"available\":true}\n", "\(ping.standardOutput)")
        bbs.signal(SIGTERM)
        #expect(try await bbs.waitForExit() == 0, "\(bbs.standardError)")
    }
}
