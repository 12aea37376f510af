//! Start-up checks: before `berth serve`, `worker`, `migrate` or `admin` creates anything, bad
//! settings stop it with one readable message — a data or blob directory that cannot be
//! written, a SQLite database that cannot be opened (named, with `--data-dir` suggested), an
//! unreachable PostgreSQL (refused at once, never a 30 s retry loop), S3 without credentials or
//! with an endpoint that does not answer one request, a weak bootstrap admin password, and (for
//! `serve`) a port that is taken.
use crate::config::{redact, Settings};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long the PostgreSQL and S3 probes may take.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Every check but the port's, in the order a newcomer meets them.
pub async fn check(settings: &Settings) -> Result<(), String> {
    admin_password(settings)?;
    writable_dir(&settings.data_dir).map_err(|why| {
        format!(
            "cannot use data directory {}: {why}; choose another with --data-dir",
            settings.data_dir.display()
        )
    })?;
    check_database(settings).await?;
    check_storage(settings).await
}

/// Binds `listen`, or says the address is taken and how to pick another.
pub fn bind(listen: &str) -> Result<TcpListener, String> {
    TcpListener::bind(listen).map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "cannot listen on {listen}: the address is already in use (another berth?); \
             choose another with --listen HOST:PORT (e.g. --listen 127.0.0.1:24818)"
        ),
        std::io::ErrorKind::AddrNotAvailable => format!(
            "cannot listen on {listen}: no interface of this machine has that address; \
             choose another with --listen HOST:PORT"
        ),
        _ => format!("cannot listen on {listen}: {e}; choose another with --listen HOST:PORT"),
    })
}

/// The bootstrap admin password follows the rules of every other password.
fn admin_password(settings: &Settings) -> Result<(), String> {
    let Some(password) = settings.admin_password.as_deref() else {
        return Ok(());
    };
    let problems = crate::service::users::check_password(password, "admin");
    match problems.is_empty() {
        true => Ok(()),
        false => Err(format!(
            "the admin password (--admin-password / BERTH_ADMIN_PASSWORD) is not accepted: {}",
            problems.join(" ")
        )),
    }
}

/// The database: a SQLite file that can be opened (or made), or a PostgreSQL that answers.
pub async fn check_database(settings: &Settings) -> Result<(), String> {
    let url = &settings.database_url;
    if let Some(file) = crate::file_modes::sqlite_file(url) {
        return sqlite_file(&file).map_err(|why| {
            format!(
                "cannot open database {}: {why}; choose another place with --data-dir \
                 (or --database-url)",
                file.display()
            )
        });
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return postgres_answers(url).await;
    }
    Ok(())
}

/// An existing SQLite file must be a readable and writable file; a new one needs a writable
/// directory.
fn sqlite_file(file: &Path) -> Result<(), String> {
    match std::fs::metadata(file) {
        Ok(m) if m.is_dir() => Err("it is a directory".into()),
        Ok(_) => std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(file)
            .map(drop)
            .map_err(|e| e.to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match file.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => writable_dir(dir),
            _ => Ok(()),
        },
        Err(e) => Err(e.to_string()),
    }
}

/// One TCP connection to PostgreSQL's host and port within the probe timeout, so a server that
/// is down is reported at once (the pool would retry for 30 s). Unix-socket URLs are left to
/// the driver.
async fn postgres_answers(url: &str) -> Result<(), String> {
    let Ok(parsed) = url::Url::parse(url) else {
        return Ok(());
    };
    let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) else {
        return Ok(());
    };
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = parsed.port().unwrap_or(5432);
    let at = format!("{host}:{port}");
    let fail = |why: String| {
        format!(
            "cannot reach PostgreSQL at {at} ({}): {why}; is it running? check --database-url",
            redact(url)
        )
    };
    match tokio::time::timeout(
        PROBE_TIMEOUT,
        tokio::net::TcpStream::connect((host.as_str(), port)),
    )
    .await
    {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            Err(fail("connection refused".into()))
        }
        Ok(Err(e)) => Err(fail(e.to_string())),
        Err(_) => Err(fail(format!("no answer within {PROBE_TIMEOUT:?}"))),
    }
}

/// A local blob directory must be writable; S3 needs credentials and must answer one request.
async fn check_storage(settings: &Settings) -> Result<(), String> {
    let url = settings.storage_url.as_str();
    if let Some(path) = url::Url::parse(url)
        .ok()
        .filter(|u| u.scheme() == "file")
        .and_then(|u| u.to_file_path().ok())
    {
        return writable_dir(&path).map_err(|why| {
            format!(
                "cannot use blob directory {}: {why}; choose another with --storage-url \
                 file:///path (or --data-dir)",
                path.display()
            )
        });
    }
    if !url.starts_with("s3://") {
        return Ok(());
    }
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let key = env("AWS_ACCESS_KEY_ID");
    let secret = env("AWS_SECRET_ACCESS_KEY");
    if key.is_some() != secret.is_some() {
        return Err(
            "S3 storage: set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (one is missing)"
                .into(),
        );
    }
    let other_source = [
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ]
    .iter()
    .any(|k| env(k).is_some());
    let no_credentials = key.is_none() && !other_source;
    // An explicit endpoint is a MinIO-style server: no instance role can answer for it.
    if no_credentials && settings.s3.endpoint.is_some() {
        return Err(format!(
            "S3 storage {url} has no credentials: set AWS_ACCESS_KEY_ID and \
             AWS_SECRET_ACCESS_KEY"
        ));
    }
    let endpoint = settings.s3.endpoint.clone();
    if let Some(e) = endpoint.as_deref() {
        if e.starts_with("http://") && !settings.s3.allow_http {
            return Err(format!(
                "S3 endpoint {e} is plain http: add --s3-allow-http (BERTH_S3_ALLOW_HTTP=true) \
                 or use https"
            ));
        }
    }
    let at = endpoint.as_deref().unwrap_or("AWS");
    let hint = match no_credentials {
        true => " (no AWS_ACCESS_KEY_ID is set and no instance role answered)",
        false => "",
    };
    s3_answers(url, &settings.s3)
        .await
        .map_err(|why| format!("S3 storage {url} at {at}: {why}{hint}"))
}

/// One listing request of an empty prefix, without retries, within the probe timeout: a
/// missing bucket, refused credentials or a silent endpoint fail it.
async fn s3_answers(url: &str, s3: &crate::storage::S3Options) -> Result<(), String> {
    use object_store::aws::AmazonS3Builder;
    use object_store::{ClientOptions, ObjectStore, RetryConfig};
    let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
    let bucket = parsed.host_str().unwrap_or_default();
    let options = ClientOptions::new()
        .with_allow_http(s3.allow_http)
        .with_timeout(PROBE_TIMEOUT)
        .with_connect_timeout(PROBE_TIMEOUT);
    let mut builder = AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .with_client_options(options)
        .with_retry(RetryConfig {
            max_retries: 0,
            retry_timeout: PROBE_TIMEOUT,
            ..Default::default()
        });
    if let Some(endpoint) = &s3.endpoint {
        builder = builder
            .with_endpoint(endpoint)
            .with_virtual_hosted_style_request(false);
    }
    if let Some(region) = &s3.region {
        builder = builder.with_region(region);
    }
    let store = builder.build().map_err(|e| e.to_string())?;
    let prefix = parsed.path().trim_matches('/');
    let probe = object_store::path::Path::from(format!("{prefix}/berth-startup-check"));
    let listed = tokio::time::timeout(PROBE_TIMEOUT, store.list_with_delimiter(Some(&probe)));
    match listed.await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => {
            let text = e.to_string();
            Err(if text.contains("NoSuchBucket") {
                format!("bucket '{bucket}' does not exist")
            } else if text.contains("error sending request") {
                "no answer (is the endpoint right and the server running?)".into()
            } else if text.contains("403") {
                "access denied: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".into()
            } else {
                format!("a test request failed: {text}")
            })
        }
        Err(_) => Err(format!("no answer within {PROBE_TIMEOUT:?}")),
    }
}

/// `dir` is a writable directory, or can be created: its nearest existing ancestor is a
/// writable directory. Writing is tried with a file that is removed at once.
fn writable_dir(dir: &Path) -> Result<(), String> {
    let mut existing: PathBuf = std::path::absolute(dir).map_err(|e| e.to_string())?;
    loop {
        match std::fs::metadata(&existing) {
            Ok(m) if m.is_dir() => break,
            Ok(_) => return Err(format!("{} is not a directory", existing.display())),
            // Missing, or below a file: the loop reaches that file and names it.
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) => {}
            Err(e) => return Err(format!("{}: {e}", existing.display())),
        }
        if !existing.pop() {
            return Err("no part of the path exists".into());
        }
    }
    let probe = existing.join(format!(".berth-write-check-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(format!("{} is not writable ({e})", existing.display())),
    }
}
