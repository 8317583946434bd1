import BBSServer

// `bbs`: the composition root lives in BBSServer (see BBSServer.swift); this binary runs it with the
// shipped migrations.
await BBSMain.run(arguments: Array(CommandLine.arguments.dropFirst()))
