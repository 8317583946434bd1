import ArgumentParser
import Models
import Services

/// `bbsctl cells`: the live cells, one CellPresence per line, all pages.
struct CellsCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "cells", abstract: "List the live cells (unexpired presences), one CellPresence per line.")

    @OptionGroup var connection: ConnectionOptions

    func run(against bbs: BBSClient) async throws(BBSCtlError) {
        try await bbs.forEachPage(BBSMethods.Cell.listCells) { page throws(BBSCtlError) in
            for cell in page.cells { try JSONOutput.print(cell) }
        }
    }
}

extension Diego_Bbs_ListCellsRequest: PagedRequest {}
extension Diego_Bbs_ListCellsResponse: PagedResponse {}
