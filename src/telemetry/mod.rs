//! Process-wide telemetry: the log subscriber (`--log-format text|json`, always to stderr,
//! colour only on a terminal without `NO_COLOR`) and the Prometheus counters (`metrics`).
pub mod exposition;
pub mod histogram;
pub mod json;
pub mod metrics;
pub mod shards;

use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line (timestamp, level, target, message, fields).
    Json,
}

/// The default filter: `info`, quieter for the SQL driver, migrations (one line per
/// migration on first start), actix's start-up and the queue's workers.
const DEFAULT_FILTER: &str =
    "info,sqlx=warn,sea_orm_migration=warn,actix_server=warn,apalis_core=warn";

/// Installs the global subscriber. `RUST_LOG` overrides the default filter.
pub fn init(format: LogFormat) {
    let directives = std::env::var("RUST_LOG").unwrap_or_else(|_| DEFAULT_FILTER.to_string());
    let filter = EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let ansi = colour_wanted();
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let registry = tracing_subscriber::registry().with(filter).with(ProbeNoise);
    let _ = match format {
        LogFormat::Text => registry.with(fmt.boxed()).try_init(),
        LogFormat::Json => registry
            .with(fmt.event_format(json::JsonLines).boxed())
            .try_init(),
    };
}

/// Colour codes only when stderr is a terminal and `NO_COLOR` is unset or empty.
fn colour_wanted() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && std::io::IsTerminal::is_terminal(&std::io::stderr())
}

/// Turns actix's error line for a request head that does not parse ("invalid Header
/// provided": the TLS probe podman, skopeo and docker send to a plain-http port, on every
/// command) into a debug line of `berth::http`.
struct ProbeNoise;

impl<S: tracing::Subscriber> Layer<S> for ProbeNoise {
    fn event_enabled(&self, event: &tracing::Event<'_>, _: Context<'_, S>) -> bool {
        if !event.metadata().target().starts_with("actix_http") {
            return true;
        }
        let mut message = MessageText(String::new());
        event.record(&mut message);
        if !message.0.contains("invalid Header provided") {
            return true;
        }
        tracing::debug!(
            target: "berth::http",
            "unparsable request head (a TLS client on this plain-http port?): {}",
            message.0
        );
        false
    }
}

struct MessageText(String);

impl tracing::field::Visit for MessageText {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}
