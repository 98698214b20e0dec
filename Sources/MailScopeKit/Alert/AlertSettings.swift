import Foundation

/// Where a run that `--fail-on` matched delivers its alert besides the ALERT lines, and how
/// long it may try: a syslog destination (one CEF message per incident), a webhook (one JSON
/// POST per run), both or neither.
public struct AlertSettings: Sendable, Equatable {
    public var syslog: SyslogTarget?
    public var webhook: WebhookTarget?
    /// Seconds each connect, send or HTTP try may take (`alert_timeout`, default 10 s).
    public var timeout: Double = 10
    /// HTTP tries per run for the webhook.
    public var webhookTries = 3

    public init(syslog: SyslogTarget? = nil, webhook: WebhookTarget? = nil, timeout: Double = 10) {
        self.syslog = syslog
        self.webhook = webhook
        self.timeout = timeout
    }

    /// No destination: the run alerts by exit code and ALERT lines only.
    public var isEmpty: Bool { syslog == nil && webhook == nil }

    /// Parses an `alert_timeout` / `--alert-timeout` value: whole seconds from 1 s to 5 min.
    public static func timeout(_ text: String) -> TimeSpan? {
        guard let span = TimeSpan(text), (1000...300_000).contains(span.milliseconds) else { return nil }
        return span
    }
}
