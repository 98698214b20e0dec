import Foundation
import Testing
@testable import MailScopeKit

/// The exit code every library error ends the process with, in one table: what the commands'
/// help promises (1 options, 2 input or output, 3 --fail-on, 4 busy).
@Suite struct ExitCodedTests {
    @Test(arguments: [
        (IngestError.noInputs(["x"]) as any ExitCoded, Int32(2), true),
        (DatabaseReadError.missing(path: "x.db"), 2, true),
        (RunLock.Error.busy(path: "x.db.lock", holder: ""), 4, true),
        (RunLock.Error.unusable(path: "x.db.lock", reason: "denied"), 2, true),
        (RunConfig.Error(source: "c.yml", line: 3, problem: "p"), 1, true),
        (Rule.Error(source: "r.yml", problem: "p"), 1, true),
        (JobError.missingInputs(["/mnt/x"]), 2, true),
        (JobError.unknownRules(["MS-X"], origin: nil), 1, true),
        (JobError.reportsNotWritten(folder: "out", reason: "No space left on device"), 2, true),
        (JobError.nothingRead, 2, false),
        (JobError.alert(incidents: 2, threshold: .high), 3, false),
        (JobError.checksFailed, 1, false),
        (Hunt.Error.writes, 1, true),
        (InvestigationError.emptyPeriod, 1, true),
    ] as [(any ExitCoded, Int32, Bool)])
    func everyErrorCarriesItsExitCode(error: any ExitCoded, code: Int32, isError: Bool) {
        #expect(error.exitCode == code)
        #expect(error.isError == isError)
    }

    @Test func outcomesThatAreNotErrorsSayWhyOrNothing() {
        #expect(JobError.alert(incidents: 1, threshold: .critical).description == "1 incident at or above critical gained findings since the last completed run (--fail-on): exit 3")
        #expect(JobError.nothingRead.description.isEmpty, "the ingest summary has already said why")
    }
}
