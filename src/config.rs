//! Settings: built-in defaults, then an optional TOML file, then `BERTH_*` environment variables,
//! then command-line flags (clap reads flags and env; the file fills what both leave unset).
//! `Settings::resolve` validates everything and fails with a readable message.
use crate::storage::S3Options;
use addresses::storage_url;
use serde::Deserialize;
use std::path::PathBuf;

mod addresses;
pub use addresses::listen_address;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:24817";
pub const DEFAULT_DATA_DIR: &str = "./berth-data";
/// Hour settings are capped at 100 years (so any value gives a storable instant).
const MAX_HOURS: u64 = 876_000;
pub const DEFAULT_MAX_UPLOADS_PER_USER: u64 = 500;

/// Every setting, each optional: what a flag, variable or file line may set.
#[derive(Debug, Clone, Default, Deserialize, clap::Args)]
#[serde(deny_unknown_fields)]
#[command(next_help_heading = "Server settings")]
pub struct Overrides {
    /// Address to listen on: HOST:PORT, or :PORT for every interface [default: 127.0.0.1:24817]
    #[arg(long, global = true, env = "BERTH_LISTEN")]
    pub listen: Option<String>,
    /// Directory for the SQLite database, the local blob store and generated secrets
    /// [default: ./berth-data]
    #[arg(long, global = true, env = "BERTH_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// `sqlite://path` or `postgres://user@host/db` [default: sqlite://<data-dir>/berth.db]
    #[arg(long, global = true, env = "BERTH_DATABASE_URL")]
    pub database_url: Option<String>,
    /// `file:///path`, `s3://bucket/prefix` or `memory:` [default: file://<data-dir>/blobs]
    #[arg(long, global = true, env = "BERTH_STORAGE_URL")]
    pub storage_url: Option<String>,
    /// S3 endpoint override for MinIO-style servers (e.g. http://127.0.0.1:9000).
    #[arg(long, global = true, env = "BERTH_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    /// Allow plain-http S3 endpoints (a switch; `--s3-allow-http=false` to turn it off)
    /// [default: false]
    #[arg(
        long,
        global = true,
        env = "BERTH_S3_ALLOW_HTTP",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true"
    )]
    pub s3_allow_http: Option<bool>,
    /// S3 region (else AWS_REGION / AWS_DEFAULT_REGION).
    #[arg(long, global = true, env = "BERTH_S3_REGION")]
    pub s3_region: Option<String>,
    /// Password for the bootstrap `admin` user on first start (at least 8 characters, not all
    /// digits, not common) [default: generated, written to <data-dir>/admin-password]
    #[arg(
        long,
        global = true,
        env = "BERTH_ADMIN_PASSWORD",
        hide_env_values = true
    )]
    pub admin_password: Option<String>,
    /// Task workers embedded in `berth serve` (0: none; run `berth worker` instead) [default: 2]
    #[arg(long, global = true, env = "BERTH_WORKERS")]
    pub workers: Option<usize>,
    /// Default orphan protection time in minutes (Pulp's ORPHAN_PROTECTION_TIME)
    /// [default: 1440]
    #[arg(long, global = true, env = "BERTH_ORPHAN_PROTECTION_MINUTES")]
    pub orphan_protection_minutes: Option<u64>,
    /// Hours a superseded repository version is kept (push repositories without an explicit
    /// `retain_repo_versions`); 0 keeps every version [default: 24]
    #[arg(long, global = true, env = "BERTH_VERSION_RETENTION_HOURS")]
    pub version_retention_hours: Option<u64>,
    /// Hours between scheduled orphan cleanups (run once across replicas); 0 turns them off
    /// [default: 24]
    #[arg(long, global = true, env = "BERTH_ORPHAN_CLEANUP_INTERVAL_HOURS")]
    pub orphan_cleanup_interval_hours: Option<u64>,
    /// Seconds between the scheduler's ticks in each process (housekeeping jobs and task
    /// schedules are looked at this often) [default: 30]
    #[arg(long, global = true, env = "BERTH_SCHEDULER_TICK_SECONDS")]
    pub scheduler_tick_seconds: Option<u64>,
    /// Hours an idle upload session is kept before it is discarded [default: 72]
    #[arg(long, global = true, env = "BERTH_UPLOAD_EXPIRY_HOURS")]
    pub upload_expiry_hours: Option<u64>,
    /// Open upload sessions a user may have at once (0: no limit) [default: 500]
    #[arg(long, global = true, env = "BERTH_MAX_UPLOADS_PER_USER")]
    pub max_uploads_per_user: Option<u64>,
    /// Seconds a request body may stay idle (no bytes) before the request fails with 408
    /// [default: 60]
    #[arg(long, global = true, env = "BERTH_BODY_READ_TIMEOUT_SECONDS")]
    pub body_read_timeout_seconds: Option<u64>,
    /// Failed sign-ins a user name may have within 15 minutes before it is slowed down
    /// (0: off) [default: 10]
    #[arg(long, global = true, env = "BERTH_SIGNIN_FAILURES_PER_USER")]
    pub signin_failures_per_user: Option<u32>,
    /// Failed sign-ins a client address may have within 15 minutes before it is slowed down
    /// (0: off; behind a proxy every client shares the proxy's address) [default: 50]
    #[arg(long, global = true, env = "BERTH_SIGNIN_FAILURES_PER_ADDRESS")]
    pub signin_failures_per_address: Option<u32>,
    /// Lifetime of registry tokens issued by `/token/`, in seconds [default: 300]
    #[arg(long, global = true, env = "BERTH_TOKEN_EXPIRY_SECONDS")]
    pub token_expiry_seconds: Option<u64>,
    /// `iss` of registry tokens [default: berth]
    #[arg(long, global = true, env = "BERTH_TOKEN_ISSUER")]
    pub token_issuer: Option<String>,
    /// The token service URL announced in `WWW-Authenticate` (default: this server's
    /// `<scheme>://<host>/token/` as the request names it)
    #[arg(long, global = true, env = "BERTH_TOKEN_REALM")]
    pub token_realm: Option<String>,
    /// The ES256 (P-256) private key that signs registry tokens (PKCS#8 or SEC1): a PEM file's
    /// path, or the PEM text itself; default: a key generated on first start and kept in the
    /// database for every replica.
    #[arg(
        long,
        global = true,
        env = "BERTH_TOKEN_PRIVATE_KEY",
        hide_env_values = true
    )]
    pub token_private_key: Option<PathBuf>,
    /// Retired token signing keys still accepted when verifying (a rotation of a configured
    /// key): comma-separated PEM file paths, or PEM text; re-read every 5 seconds.
    #[arg(
        long,
        global = true,
        env = "BERTH_TOKEN_PREVIOUS_KEYS",
        hide_env_values = true
    )]
    pub token_previous_keys: Option<String>,
    /// Largest blob accepted, in bytes, counted across the chunks of an upload (0: no limit)
    /// [default: 0]
    #[arg(long, global = true, env = "BERTH_MAX_BLOB_SIZE")]
    pub max_blob_size: Option<u64>,
    /// `full` (default): a push is answered only once its bytes and database commit are on
    /// stable storage. `relaxed`: skip the fsyncs (a cache that may lose recent pushes)
    /// [default: full]
    #[arg(long, global = true, env = "BERTH_DURABILITY")]
    pub durability: Option<String>,
    /// Seconds between writes of the pull counts kept in memory (0: pull tracking off)
    /// [default: 5]
    #[arg(long, global = true, env = "BERTH_PULL_FLUSH_SECONDS")]
    pub pull_flush_seconds: Option<u64>,
    /// Bearer token `/metrics` requires (unset: `/metrics` is open; it carries no names).
    #[arg(
        long,
        global = true,
        env = "BERTH_METRICS_TOKEN",
        hide_env_values = true
    )]
    pub metrics_token: Option<String>,
    /// Serve `/metrics` on this separate address (host:port) instead of the main one.
    #[arg(long, global = true, env = "BERTH_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,
    /// `true`: `/v2/` serves only Bearer tokens from `/token/`, as Pulp does with token auth on:
    /// anonymous and Basic requests get the `401` Bearer challenge (default `false`: anonymous
    /// pulls of public repositories and Basic credentials are served too).
    #[arg(
        long,
        global = true,
        env = "BERTH_REGISTRY_TOKEN_ONLY",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true"
    )]
    pub registry_token_only: Option<bool>,
}

impl Overrides {
    fn or(self, file: Overrides) -> Overrides {
        Overrides {
            listen: self.listen.or(file.listen),
            metrics_token: self.metrics_token.or(file.metrics_token),
            metrics_listen: self.metrics_listen.or(file.metrics_listen),
            data_dir: self.data_dir.or(file.data_dir),
            database_url: self.database_url.or(file.database_url),
            storage_url: self.storage_url.or(file.storage_url),
            s3_endpoint: self.s3_endpoint.or(file.s3_endpoint),
            s3_allow_http: self.s3_allow_http.or(file.s3_allow_http),
            s3_region: self.s3_region.or(file.s3_region),
            admin_password: self.admin_password.or(file.admin_password),
            upload_expiry_hours: self.upload_expiry_hours.or(file.upload_expiry_hours),
            body_read_timeout_seconds: self
                .body_read_timeout_seconds
                .or(file.body_read_timeout_seconds),
            orphan_protection_minutes: self
                .orphan_protection_minutes
                .or(file.orphan_protection_minutes),
            workers: self.workers.or(file.workers),
            version_retention_hours: self
                .version_retention_hours
                .or(file.version_retention_hours),
            orphan_cleanup_interval_hours: self
                .orphan_cleanup_interval_hours
                .or(file.orphan_cleanup_interval_hours),
            scheduler_tick_seconds: self.scheduler_tick_seconds.or(file.scheduler_tick_seconds),
            max_uploads_per_user: self.max_uploads_per_user.or(file.max_uploads_per_user),
            signin_failures_per_user: self
                .signin_failures_per_user
                .or(file.signin_failures_per_user),
            signin_failures_per_address: self
                .signin_failures_per_address
                .or(file.signin_failures_per_address),
            token_expiry_seconds: self.token_expiry_seconds.or(file.token_expiry_seconds),
            token_issuer: self.token_issuer.or(file.token_issuer),
            token_realm: self.token_realm.or(file.token_realm),
            token_private_key: self.token_private_key.or(file.token_private_key),
            token_previous_keys: self.token_previous_keys.or(file.token_previous_keys),
            max_blob_size: self.max_blob_size.or(file.max_blob_size),
            durability: self.durability.or(file.durability),
            pull_flush_seconds: self.pull_flush_seconds.or(file.pull_flush_seconds),
            registry_token_only: self.registry_token_only.or(file.registry_token_only),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: String,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub storage_url: String,
    pub s3: S3Options,
    pub admin_password: Option<String>,
    pub upload_expiry_hours: u64,
    pub body_read_timeout_seconds: u64,
    pub orphan_protection_minutes: u64,
    /// Superseded versions of push repositories without `retain_repo_versions` are pruned
    /// this long after they were superseded (0: never).
    pub version_retention_hours: u64,
    /// Hours between scheduled orphan cleanups (0: none).
    pub orphan_cleanup_interval_hours: u64,
    /// Seconds between scheduler ticks (1 to 3600).
    pub scheduler_tick_seconds: u64,
    pub workers: usize,
    pub max_uploads_per_user: u64,
    pub signin_failures_per_user: u32,
    pub signin_failures_per_address: u32,
    pub token_expiry_seconds: u64,
    pub token_issuer: String,
    pub token_realm: Option<String>,
    pub token_private_key: Option<PathBuf>,
    /// Retired keys still verified (`BERTH_TOKEN_PREVIOUS_KEYS`, as given).
    pub token_previous_keys: Option<String>,
    /// Largest blob accepted, in bytes; 0 means no limit.
    pub max_blob_size: u64,
    /// Whether acknowledged writes are fsynced (`BERTH_DURABILITY=full`, the default).
    pub durable: bool,
    /// Seconds between writes of the pull counts (0: pulls are not tracked).
    pub pull_flush_seconds: u64,
    /// Bearer token `/metrics` requires (`None`: open).
    pub metrics_token: Option<String>,
    /// The separate address `/metrics` is served on (`None`: on the main address).
    pub metrics_listen: Option<String>,
    /// `/v2/` refuses anonymous and Basic callers with the Bearer challenge (Pulp's behaviour).
    pub registry_token_only: bool,
}

impl Settings {
    /// The blob size limit, `None` when unlimited.
    pub fn blob_limit(&self) -> Option<u64> {
        (self.max_blob_size > 0).then_some(self.max_blob_size)
    }

    /// Merges `cli` (flags and env) over the optional TOML file and the defaults.
    pub fn resolve(cli: Overrides, file: Option<&std::path::Path>) -> Result<Settings, String> {
        let from_file = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
                toml::from_str::<Overrides>(&text)
                    .map_err(|e| format!("config file {}: {e}", path.display()))?
            }
            None => Overrides::default(),
        };
        let o = cli.or(from_file);
        let data_dir = o
            .data_dir
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let listen = listen_address(o.listen.as_deref().unwrap_or(DEFAULT_LISTEN))?;
        let database_url = match o.database_url {
            Some(u)
                if u.starts_with("postgres://")
                    || u.starts_with("postgresql://")
                    || u.starts_with("sqlite:") =>
            {
                u
            }
            Some(u) => {
                return Err(format!(
                    "database URL '{}' must start with postgres://, postgresql:// or sqlite:",
                    redact(&u)
                ))
            }
            None => format!("sqlite://{}?mode=rwc", data_dir.join("berth.db").display()),
        };
        let storage_url = match o.storage_url {
            Some(u) => storage_url(u)?,
            None => {
                let abs = std::path::absolute(data_dir.join("blobs"))
                    .map_err(|e| format!("data directory {}: {e}", data_dir.display()))?;
                format!("file://{}", abs.display())
            }
        };
        let metrics_listen = o.metrics_listen.filter(|a| !a.is_empty());
        if let Some(a) = &metrics_listen {
            a.parse::<std::net::SocketAddr>().map_err(|_| {
                format!("metrics listen address '{a}' is not host:port (e.g. 127.0.0.1:9817)")
            })?;
        }
        Ok(Settings {
            metrics_token: o.metrics_token.filter(|t| !t.is_empty()),
            metrics_listen,
            listen,
            data_dir,
            database_url,
            storage_url,
            s3: S3Options {
                endpoint: o.s3_endpoint,
                allow_http: o.s3_allow_http.unwrap_or(false),
                region: o.s3_region,
            },
            admin_password: o.admin_password.filter(|p| !p.is_empty()),
            upload_expiry_hours: o.upload_expiry_hours.unwrap_or(72),
            body_read_timeout_seconds: match o.body_read_timeout_seconds.unwrap_or(60) {
                0 => return Err("body read timeout must be at least 1 second".into()),
                n => n,
            },
            orphan_protection_minutes: o.orphan_protection_minutes.unwrap_or(1440),
            version_retention_hours: o.version_retention_hours.unwrap_or(24).min(MAX_HOURS),
            orphan_cleanup_interval_hours: o
                .orphan_cleanup_interval_hours
                .unwrap_or(24)
                .min(MAX_HOURS),
            scheduler_tick_seconds: match o.scheduler_tick_seconds.unwrap_or(30) {
                0 => return Err("scheduler tick must be at least 1 second".into()),
                n => n.min(3_600),
            },
            workers: o.workers.unwrap_or(2),
            max_uploads_per_user: o
                .max_uploads_per_user
                .unwrap_or(DEFAULT_MAX_UPLOADS_PER_USER),
            signin_failures_per_user: o.signin_failures_per_user.unwrap_or(10),
            signin_failures_per_address: o.signin_failures_per_address.unwrap_or(50),
            token_expiry_seconds: match o.token_expiry_seconds.unwrap_or(300) {
                0 => return Err("token expiry must be at least 1 second".into()),
                n => n.min(86_400),
            },
            token_issuer: o
                .token_issuer
                .filter(|i| !i.is_empty())
                .unwrap_or_else(|| "berth".into()),
            token_realm: o.token_realm.filter(|r| !r.is_empty()),
            token_private_key: o.token_private_key,
            token_previous_keys: o.token_previous_keys.filter(|k| !k.trim().is_empty()),
            max_blob_size: o.max_blob_size.unwrap_or(0),
            durable: match o.durability.as_deref().map(str::trim) {
                None | Some("") | Some("full") => true,
                Some("relaxed") => false,
                Some(other) => {
                    return Err(format!("durability '{other}' is not one of: full, relaxed"))
                }
            },
            pull_flush_seconds: o.pull_flush_seconds.unwrap_or(5).min(86_400),
            registry_token_only: o.registry_token_only.unwrap_or(false),
        })
    }

    /// Settings for tests and embedding: SQLite/local storage under `data_dir`.
    pub fn for_data_dir(data_dir: PathBuf) -> Result<Settings, String> {
        Settings::resolve(
            Overrides {
                data_dir: Some(data_dir),
                ..Default::default()
            },
            None,
        )
    }
}

/// A URL with its password replaced, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests;
