import Models
import RPC

/// One typed handle per method of the BBS API (`../shared/API.md`), shared by the services that serve
/// them and the clients (bbsctl, tests) that call them, so a path is spelled in one place.
public enum BBSMethods {
    /// The protobuf package of every BBS service.
    public static let package = "diego.bbs"

    /// `diego.bbs.PingService`.
    public enum Ping {
        public static let service = "\(package).PingService"
        public static let ping = RPCMethod<Diego_Bbs_PingRequest, Diego_Bbs_PingResponse>(
            service: service, method: "Ping", kind: .unary)
    }

    /// `diego.bbs.DomainService`.
    public enum Domain {
        public static let service = "\(package).DomainService"
        public static let upsertDomain = RPCMethod<Diego_Bbs_UpsertDomainRequest, Diego_Bbs_UpsertDomainResponse>(
            service: service, method: "UpsertDomain", kind: .unary)
        public static let listDomains = RPCMethod<Diego_Bbs_ListDomainsRequest, Diego_Bbs_ListDomainsResponse>(
            service: service, method: "ListDomains", kind: .unary)
    }

    /// `diego.bbs.CellService`.
    public enum Cell {
        public static let service = "\(package).CellService"
        public static let heartbeatCell = RPCMethod<Diego_Bbs_HeartbeatCellRequest, Diego_Bbs_HeartbeatCellResponse>(
            service: service, method: "HeartbeatCell", kind: .unary)
        public static let listCells = RPCMethod<Diego_Bbs_ListCellsRequest, Diego_Bbs_ListCellsResponse>(
            service: service, method: "ListCells", kind: .unary)
    }

    /// `diego.bbs.AdminService`.
    public enum Admin {
        public static let service = "\(package).AdminService"
        public static let getDataVersion = RPCMethod<Diego_Bbs_GetDataVersionRequest, Diego_Bbs_GetDataVersionResponse>(
            service: service, method: "GetDataVersion", kind: .unary)
    }
}
