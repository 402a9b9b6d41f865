import Foundation
import HTTPTypes
import Hummingbird
import IncentiveEngine
import IncentiveSheets
import IncentiveStore
import NIOCore

/// The spreadsheet downloads of the API (issue 18): a run's results as a workbook (`format=xlsx` of
/// `runs/{id}/results`, with the access rules of its CSV) and the difference between two runs.
extension API {
    /// A workbook as an attachment named `name`.
    static func workbook(_ data: Data, name: String) -> Response {
        var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        response.headers[.contentType] = XLSXWorkbook.contentType
        response.headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        return response
    }

    /// `runs/{id}/results?format=xlsx`: a summary sheet and a sheet per program; `partner` (always the user's own
    /// partner for a partner user, decided by the caller) and `program` narrow it as they narrow the CSV.
    func resultsWorkbook(run id: Int, partner: String?, program: String?) async throws -> Response {
        let workspace = self.workspace
        let data = try await blocking { () throws -> Data in
            var (_, result) = try workspace.runResult(id, partner: partner, checks: .failedReasons)
            if let program { result.programs = result.programs.filter { $0.program.id == program } }
            return try WriteReports.results(result).data()
        }
        return Self.workbook(data, name: "run-\(id)-results\(partner.map { "-\(Self.fileNamePart($0))" } ?? "").xlsx")
    }

    /// `runs/{id}/diff?since=A&format=json|csv|xlsx` (admins): what changed from run `since` to this run: the
    /// JSON of `runs diff --format json`, the changed rows as CSV (`runs diff --format csv`), or a workbook with
    /// the changed rows, the changed booking lines and the programs.
    func runDiff(_ request: Request, _ context: AppContext) async throws -> Response {
        _ = try context.requireAdmin()
        let id = try await runID(context)
        let query = request.uri.queryParameters
        guard let text = query["since"].map(String.init) else { throw APIError.badRequest("since: give the run to compare with (since=RUN)") }
        let workspace = self.workspace
        guard let since = Int(text), since > 0, try await blocking({ try workspace.hasRun(since) }) else {
            throw APIError.notFound("no run \(APIError.cut(text, to: 40))")
        }
        let format = query["format"].map(String.init) ?? "json"
        guard ["json", "csv", "xlsx"].contains(format) else {
            throw APIError.badRequest("format \(APIError.cut(format, to: 40)): expected json, csv or xlsx")
        }
        let diff = try await blocking { try workspace.diffRuns(since, id) }
        switch format {
        case "csv": return JSONBody.text(RunDiffText.csv(diff), contentType: "text/csv; charset=utf-8")
        case "xlsx":
            let data = try await blocking {
                let partners = try workspace.changedPartners(since, id, query: PartnerQuery(limit: Int.max)).items
                return try WriteSheets.diff(diff, partners: partners).data()
            }
            return Self.workbook(data, name: "runs-\(since)-\(id)-diff.xlsx")
        default: return JSONBody.text(RunDiffJSON.render(diff), contentType: "application/json; charset=utf-8")
        }
    }

    /// Letters, digits, `-`, `_` and `.` of `text`, for a file name in a header.
    static func fileNamePart(_ text: String) -> String {
        String(
            text.unicodeScalars.filter {
                $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || "-_.".unicodeScalars.contains($0))
            }.prefix(40).map(Character.init))
    }
}
