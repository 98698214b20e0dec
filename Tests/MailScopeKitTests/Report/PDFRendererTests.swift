import Foundation
import Testing
@testable import MailScopeKit

/// Finding the browser, saying which package to install when there is none, and stamping the
/// PDF with the report's time instead of the printing time.
@Suite struct PDFRendererTests {
    @Test func noBrowserNamesDebiansPackage() {
        #expect(throws: PDFRenderer.Error.browserMissing(named: nil)) { try PDFRenderer.locate(environment: ["PATH": "/nonexistent"]) }
        let message = PDFRenderer.Error.browserMissing(named: nil).description
        #expect(message.contains("apt-get install chromium"))
        #expect(message.contains("leave pdf out of --format"))
        #expect(PDFRenderer.Error.browserMissing(named: nil).exitCode == ExitStatus.input)
    }

    @Test func aNamedBrowserMustBeExecutable() throws {
        #expect(throws: PDFRenderer.Error.browserMissing(named: "/nonexistent/chromium")) {
            try PDFRenderer.locate(environment: [PDFRenderer.browserVariable: "/nonexistent/chromium"])
        }
        #expect(try PDFRenderer.locate(environment: [PDFRenderer.browserVariable: "/bin/sh"]).browser == "/bin/sh")
    }

    @Test func theBrowsersPrintingTimeIsReplacedByTheReportTimeWithoutMovingAByte() {
        let printed = Data("%PDF-1.4\n1 0 obj\n<</Creator (x)\n/CreationDate (D:20261207135329+00'00')\n/ModDate (D:20261207135329+00'00')>>\nendobj\n".utf8)
        let stamped = PDFRenderer.stamp(printed, with: Timestamp(1_793_664_000_000))
        #expect(stamped.count == printed.count)
        #expect(String(decoding: stamped, as: UTF8.self).contains("/CreationDate (D:20261103000000+00'00')\n/ModDate (D:20261103000000+00'00')"))
        let odd = Data("%PDF-1.4\n<</CreationDate (D:2026)>>".utf8)
        #expect(PDFRenderer.stamp(odd, with: Timestamp(0)) == odd, "a date of another length is left alone")
    }
}
