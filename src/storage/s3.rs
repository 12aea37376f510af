//! S3 multipart uploads that were never completed (a process killed mid-write): they hold
//! storage the bucket bills for but no listing shows. object_store 0.14 can abort one
//! (`MultipartStore::abort_multipart`) but cannot list them, so the listing is one S3
//! `ListMultipartUploads` request, signed with object_store's own signer (`signed_url_opts`,
//! the store's credentials) and sent with reqwest; the small XML answer is read here.
use super::Leftover;
use chrono::{DateTime, Utc};
use object_store::aws::AmazonS3;
use object_store::multipart::MultipartStore;
use object_store::path::Path;
use object_store::signer::{Method, SignedUrlOptions, Signer};
use std::sync::Arc;
use std::time::Duration;

/// The raw S3 client (not prefixed) and the key prefix berth uses in the bucket.
#[derive(Clone, Debug)]
pub struct Multipart {
    s3: Arc<AmazonS3>,
    prefix: String,
    http: reqwest::Client,
}

fn generic(msg: String) -> object_store::Error {
    object_store::Error::Generic {
        store: "S3",
        source: msg.into(),
    }
}

impl Multipart {
    pub fn new(s3: Arc<AmazonS3>, prefix: String) -> Self {
        Multipart {
            s3,
            prefix,
            http: reqwest::Client::new(),
        }
    }

    fn full_key(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}/{key}", self.prefix)
        }
    }

    /// Incomplete multipart uploads under the prefix, started before `before`.
    pub async fn stale_uploads(
        &self,
        before: DateTime<Utc>,
    ) -> Result<Vec<Leftover>, object_store::Error> {
        let list_prefix = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        let mut out = Vec::new();
        let mut markers: Option<(String, String)> = None;
        loop {
            let mut query = vec![
                ("uploads".to_string(), String::new()),
                ("prefix".to_string(), list_prefix.clone()),
            ];
            if let Some((key, id)) = &markers {
                query.push(("key-marker".into(), key.clone()));
                query.push(("upload-id-marker".into(), id.clone()));
            }
            let opts = SignedUrlOptions::new().with_query(query);
            let url = self
                .s3
                .signed_url_opts(
                    Method::GET,
                    &Path::from(""),
                    Duration::from_secs(300),
                    &opts,
                )
                .await?;
            let res = self
                .http
                .get(url)
                .send()
                .await
                .map_err(|e| generic(format!("ListMultipartUploads: {e}")))?;
            let status = res.status();
            let body = res
                .text()
                .await
                .map_err(|e| generic(format!("ListMultipartUploads: {e}")))?;
            if !status.is_success() {
                return Err(generic(format!(
                    "ListMultipartUploads answered {status}: {}",
                    body.chars().take(300).collect::<String>()
                )));
            }
            for block in body.split("<Upload>").skip(1) {
                let (Some(key), Some(id)) = (tag(block, "Key"), tag(block, "UploadId")) else {
                    continue;
                };
                let started = tag(block, "Initiated")
                    .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                    .map(|t| t.with_timezone(&Utc));
                let Some(started) = started else { continue };
                if started >= before {
                    continue;
                }
                let rel = key
                    .strip_prefix(&list_prefix)
                    .unwrap_or(key.as_str())
                    .to_string();
                out.push(Leftover {
                    key: rel,
                    size: 0,
                    modified: started,
                    upload_id: Some(id),
                });
            }
            if tag(&body, "IsTruncated").as_deref() != Some("true") {
                break;
            }
            match (
                tag(&body, "NextKeyMarker"),
                tag(&body, "NextUploadIdMarker"),
            ) {
                (Some(k), Some(i)) if markers.as_ref() != Some(&(k.clone(), i.clone())) => {
                    markers = Some((k, i));
                }
                _ => break,
            }
        }
        Ok(out)
    }

    /// Aborts the multipart uploads in `found`; one already gone counts as done.
    pub async fn abort(&self, found: &[Leftover]) -> Result<u64, object_store::Error> {
        let mut n = 0;
        for l in found {
            let Some(id) = &l.upload_id else { continue };
            let path = Path::from(self.full_key(&l.key));
            match self.s3.abort_multipart(&path, id).await {
                Ok(()) => n += 1,
                Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(n)
    }
}

/// The text of the first `<name>…</name>` element in `xml`, unescaped.
fn tag(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = xml.find(&open)? + open.len();
    let len = xml[start..].find(&close)?;
    Some(unescape(&xml[start..start + len]))
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::tag;

    #[test]
    fn the_xml_reader_finds_elements_and_unescapes_them() {
        let xml = "<R><IsTruncated>false</IsTruncated><Upload><Key>a&amp;b</Key>\
                   <UploadId>x1</UploadId></Upload></R>";
        assert_eq!(tag(xml, "IsTruncated").as_deref(), Some("false"));
        assert_eq!(tag(xml, "Key").as_deref(), Some("a&b"));
        assert_eq!(tag(xml, "Missing"), None);
    }
}
