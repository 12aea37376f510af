//! The address settings a newcomer types: `--listen` in its usual spellings, and a storage URL
//! that must name its scheme (a bare path is answered with the `file://` URL it meant).
use std::path::PathBuf;

/// `host:port`, `:port` (every interface, as Go servers read it) or `[v6]:port`, checked to
/// name an address (`localhost:24817` resolves); the result is what `TcpListener::bind` takes.
pub fn listen_address(given: &str) -> Result<String, String> {
    let given = given.trim();
    let listen = match given.strip_prefix(':') {
        Some(port) => format!("0.0.0.0:{port}"),
        None => given.to_string(),
    };
    let bad = || {
        format!(
            "listen address '{given}' is not HOST:PORT (e.g. 127.0.0.1:24817, localhost:24817 \
             or :24817 for every interface)"
        )
    };
    let (host, port) = listen.rsplit_once(':').ok_or_else(bad)?;
    if host.is_empty() || port.parse::<u16>().is_err() {
        return Err(bad());
    }
    use std::net::ToSocketAddrs;
    match listen.to_socket_addrs().map(|mut addrs| addrs.next()) {
        Ok(Some(_)) => Ok(listen),
        Ok(None) => Err(bad()),
        Err(e) => Err(format!("listen address '{given}': {e}")),
    }
}

/// A storage URL; a bare path is refused with the `file://` URL it probably meant.
pub(super) fn storage_url(given: String) -> Result<String, String> {
    if given == "memory:" || given == "memory://" {
        return Ok(given);
    }
    match url::Url::parse(&given) {
        Ok(u) if u.scheme().len() > 1 => Ok(given),
        _ => {
            let path = std::path::absolute(&given).unwrap_or_else(|_| PathBuf::from(&given));
            Err(format!(
                "storage URL '{given}' has no scheme: for a directory use file://{} \
                 (or s3://bucket/prefix)",
                path.display()
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_takes_host_port_a_name_and_a_bare_port() {
        assert_eq!(
            listen_address("127.0.0.1:24817").unwrap(),
            "127.0.0.1:24817"
        );
        assert_eq!(
            listen_address("localhost:24817").unwrap(),
            "localhost:24817"
        );
        assert_eq!(listen_address(":24817").unwrap(), "0.0.0.0:24817");
        assert_eq!(listen_address("[::1]:24817").unwrap(), "[::1]:24817");
        for bad in ["24817", "localhost:", ":", "host:99999", ""] {
            assert!(
                listen_address(bad).unwrap_err().contains("HOST:PORT"),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_storage_path_without_a_scheme_is_answered_with_its_file_url() {
        assert_eq!(storage_url("memory:".into()).unwrap(), "memory:");
        assert_eq!(storage_url("s3://b/p".into()).unwrap(), "s3://b/p");
        assert_eq!(storage_url("file:///srv".into()).unwrap(), "file:///srv");
        let e = storage_url("/srv/blobs".into()).unwrap_err();
        assert!(e.contains("use file:///srv/blobs"), "{e}");
        let e = storage_url("blobs".into()).unwrap_err();
        assert!(e.contains("has no scheme") && e.contains("/blobs"), "{e}");
    }
}
