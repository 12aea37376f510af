//! `berth login REGISTRY [-u USER] [--password-stdin]` (checks the credentials against the
//! registry's `/v2/` before storing them) and `berth logout REGISTRY`.
use super::creds::{self, Credentials};
use super::error::{failed, usage, ClientError, Result};
use super::http::{Registry, Req};
use super::refs::{clean_registry, host_of};
use reqwest::Method;
use std::io::{BufRead, IsTerminal, Write};

pub async fn login(registry: &str, username: Option<String>, password_stdin: bool) -> Result<()> {
    let target = clean_registry(registry);
    let host = host_of(registry);
    let stdin = std::io::stdin();
    let username = match username {
        Some(u) => u,
        None if stdin.is_terminal() && !password_stdin => {
            eprint!("Username: ");
            let _ = std::io::stderr().flush();
            read_line()?
        }
        None => return Err(usage("give the user name with -u USER")),
    };
    let password = if password_stdin || !stdin.is_terminal() {
        read_line()?
    } else {
        super::output::read_secret("Password: ")
            .map_err(|e| failed(format!("reading the password: {e}")))?
    };
    if password.is_empty() {
        return Err(usage("an empty password"));
    }
    let c = Credentials { username, password };
    let reg = Registry::with_credentials(&target, Some(c.clone()))?;
    let res = reg.send(Req::new(Method::GET, "/v2/")).await?;
    if !res.status().is_success() {
        return Err(failed(format!("{host}/v2/ answered {}", res.status())));
    }
    // berth's management API uses the same accounts; check them there too when present.
    if reg.is_berth().await? {
        match reg.get_json("/pulp/api/v3/users/?limit=1").await {
            Ok(_) | Err(ClientError::Denied(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let place = creds::store(&host, &c)?;
    outln!("Login succeeded: credentials for {host} stored in {place}");
    Ok(())
}

fn read_line() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| failed(format!("reading standard input: {e}")))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

pub fn logout(registry: &str) -> Result<()> {
    let host = host_of(registry);
    if creds::erase(&host)? {
        outln!("Removed the credentials for {host}");
        Ok(())
    } else {
        Err(ClientError::NotFound(format!(
            "no credentials stored for {host}"
        )))
    }
}
