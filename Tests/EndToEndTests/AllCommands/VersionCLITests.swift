import Foundation
import MailScopeKit
import Testing

/// `mailscope --version`: what a bug report quotes. A build by `swift build` (this one) names no
/// commit; scripts/build-release bakes one in (checked on the packaged binary by
/// scripts/tests/test_deb_package.py).
@Suite struct VersionCLITests {
    @Test func versionNamesTheVersionNoCommitForAPlainBuildAndTheSQLiteItRunsWith() throws {
        let result = try CLI.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout == "mailscope \(MailScopeVersion.string) (unknown commit)\nSQLite \(MailScopeVersion.sqliteLibrary)\n")
        #expect(MailScopeVersion.sqliteLibrary.hasPrefix("3."))
    }
}
