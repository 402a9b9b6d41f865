import IncentiveEngine
import IncentiveSheets
import IncentiveStore

/// `import`'s reading of spreadsheet files (issue 18): a standard CSV file or folder is imported exactly as
/// before; Excel's CSV dialects and .xlsx sheets are converted first, and every message names the user's file.
enum SpreadsheetImport {
    static func run(
        _ store: Workspace, kind: DataKind?, file: String?, dir: String?, read: ReadOptions, mode: ImportMode, remedies: Remedies,
        progress: ImportProgress?
    ) throws(DiagnosticReport) -> ImportOutcome {
        let found: [(fileName: String, path: String)]
        if let dir {
            found = try ReadFolder.datasetFiles(in: dir)
        } else {
            found = [(kind!.fileName, file!)]
        }
        let prepared = try ReadFolder.prepare(files: found, options: read)
        defer { prepared.remove() }
        guard prepared.converted else {
            if let dir { return try store.importFolder(dir, mode: mode, remedies: remedies, progress: progress) }
            return try store.importFile(kind!, path: file!, mode: mode, remedies: remedies, progress: progress)
        }
        Terminal.reportNotes(prepared.notes)
        var files: [(DataKind, String, String)] = []
        var originals: [String: String] = [:]
        for file in prepared.files {
            guard let kind = kind ?? DataKind.allCases.first(where: { $0.fileName == file.fileName }) else { continue }
            files.append((kind, file.path, file.displayName))
            originals[file.path] = file.original
        }
        var outcome: ImportOutcome
        do {
            outcome = try store.importFiles(
                files, mode: mode, remedies: remedies, progress: progress, by: .operatingSystemUser(), originals: originals)
        } catch {
            throw prepared.relocate(error)
        }
        outcome.warnings = prepared.relocate(outcome.warnings)
        if let dir { ReadFolder.warnUnreadFiles(in: dir, collector: &outcome.warnings) }
        return outcome
    }
}
