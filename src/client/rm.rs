//! `berth rm REPO:TAG…` removes only the tags (berth: the `untag/` task; other registries:
//! `DELETE /v2/…/manifests/<tag>`, or where that is refused, regctl's workaround: point the tag
//! at a fresh placeholder manifest and delete that, so the image and its other tags stay).
//! `berth rm REPO@DIGEST…` removes the image and names the tags that go with it.
//! `berth rm --repository REPO` removes the whole repository (berth only: its distribution
//! and push repository).
use super::error::{usage, ClientError, Result};
use super::http::{ok, Registry, Req, MANIFEST_TYPES};
use super::images::{berth_repo, urlencode};
use super::output::{self, confirm, Format};
use super::refs::{self, Reference};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub async fn run(refs_: &[String], repository: Option<&str>, yes: bool, f: Format) -> Result<()> {
    let mut report = vec![];
    if let Some(r) = repository {
        report.push(remove_repository(r, yes).await?);
    }
    if refs_.is_empty() && repository.is_none() {
        return Err(usage(
            "name what to remove: REPO:TAG, REPO@DIGEST or --repository REPO",
        ));
    }
    // Several removals without questions: a progress line (on a terminal).
    let mut bar = (yes && refs_.len() > 1).then(|| output::Progress::new("removing", refs_.len()));
    for r in refs_ {
        if let Some(b) = bar.as_mut() {
            b.step(r);
        }
        let t = refs::parse(Some(r))?;
        let (reg, berth) = super::connect(&t.registry).await?;
        let line = match (&t.reference, berth) {
            (Some(Reference::Tag(tag)), true) => berth_untag(&reg, &t.name, tag, yes).await?,
            (Some(Reference::Tag(tag)), false) => v2_untag(&reg, &t.name, tag, yes).await?,
            (Some(Reference::Digest(d)), true) => berth_remove(&reg, &t.name, d, yes).await?,
            (Some(Reference::Digest(d)), false) => v2_remove(&reg, &t.name, d, yes).await?,
            (None, _) => {
                return Err(usage(format!(
                    "'{r}': name a tag (REPO:TAG) or a digest (REPO@DIGEST); a whole repository is --repository REPO"
                )))
            }
        };
        report.push(line);
    }
    drop(bar);
    if f == Format::Json {
        output::print_json(&json!({ "removed": report }));
    } else {
        for r in &report {
            outln!("{}", r["message"].as_str().unwrap_or_default());
        }
    }
    Ok(())
}

async fn berth_untag(reg: &Registry, name: &str, tag: &str, yes: bool) -> Result<Value> {
    let repo = berth_repo(reg, name).await?;
    let v = urlencode(&repo.latest_version);
    let found = reg
        .get_json(&format!(
            "/pulp/api/v3/content/container/tags/?repository_version={v}&name={}",
            urlencode(tag)
        ))
        .await?;
    if found["count"].as_i64().unwrap_or(0) == 0 {
        return Err(ClientError::NotFound(format!("{name}: no tag '{tag}'")));
    }
    confirm(
        &format!("Remove the tag {name}:{tag} (the image and its other tags stay)?"),
        yes,
    )?;
    let task = reg
        .pulp_post(&format!("{}untag/", repo.href), &json!({ "tag": tag }))
        .await?;
    let href = task["task"].as_str().unwrap_or_default();
    reg.wait_task(href).await?;
    Ok(
        json!({"reference": format!("{name}:{tag}"), "tags": [tag], "task": href,
              "message": format!("untagged {name}:{tag}")}),
    )
}

pub async fn berth_remove(reg: &Registry, name: &str, digest: &str, yes: bool) -> Result<Value> {
    let repo = berth_repo(reg, name).await?;
    let v = urlencode(&repo.latest_version);
    let m = reg
        .get_json(&format!(
            "/pulp/api/v3/content/container/manifests/?repository_version={v}&digest={}",
            urlencode(digest)
        ))
        .await?;
    if m["count"].as_i64().unwrap_or(0) == 0 {
        return Err(ClientError::NotFound(format!("{name}: no image {digest}")));
    }
    let tags = reg
        .pulp_list(&format!(
            "/pulp/api/v3/content/container/tags/?repository_version={v}&digest={}&limit=1000",
            urlencode(digest)
        ))
        .await?;
    let mut tags: Vec<String> = tags
        .iter()
        .filter_map(|t| t["name"].as_str().map(str::to_string))
        .collect();
    tags.sort();
    confirm(
        &format!("Remove the image {name}@{digest}{}?", with_tags(&tags)),
        yes,
    )?;
    let task = reg
        .pulp_post(
            &format!("{}remove_image/", repo.href),
            &json!({ "digest": digest }),
        )
        .await?;
    let href = task["task"].as_str().unwrap_or_default();
    reg.wait_task(href).await?;
    Ok(
        json!({"reference": format!("{name}@{digest}"), "tags": tags, "task": href,
              "message": format!("removed {name}@{digest}{}", with_tags(&tags))}),
    )
}

fn with_tags(tags: &[String]) -> String {
    match tags.len() {
        0 => " (no tags)".into(),
        1 => format!(" and its tag {}", tags[0]),
        _ => format!(" and its tags {}", tags.join(", ")),
    }
}

/// The digest `reference` resolves to, or `None` when the registry does not know it.
async fn digest_of(reg: &Registry, name: &str, reference: &str) -> Result<Option<String>> {
    let path = format!("/v2/{name}/manifests/{reference}");
    let res = reg
        .send(Req::new(Method::HEAD, &path).header(ACCEPT, MANIFEST_TYPES))
        .await?;
    if res.status() == StatusCode::NOT_FOUND {
        return Ok(None);
    }
    let res = ok(res, &path).await?;
    Ok(res
        .headers()
        .get("docker-content-digest")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string))
}

async fn v2_untag(reg: &Registry, name: &str, tag: &str, yes: bool) -> Result<Value> {
    if digest_of(reg, name, tag).await?.is_none() {
        return Err(ClientError::NotFound(format!("{name}: no tag '{tag}'")));
    }
    confirm(
        &format!("Remove the tag {name}:{tag} (the image and its other tags stay)?"),
        yes,
    )?;
    let how = untag_plain(reg, name, tag).await?;
    Ok(
        json!({"reference": format!("{name}:{tag}"), "tags": [tag], "method": how,
              "message": format!("untagged {name}:{tag} (by {how})")}),
    )
}

/// Removes only the tag on a plain registry; says how.
pub async fn untag_plain(reg: &Registry, name: &str, tag: &str) -> Result<&'static str> {
    let path = format!("/v2/{name}/manifests/{tag}");
    let res = reg.send(Req::new(Method::DELETE, &path)).await?;
    if res.status().is_success() {
        return Ok("tag deletion");
    }
    // Tag deletion refused (distribution answers 400/405 UNSUPPORTED): move the tag to a
    // placeholder of our own and delete the placeholder by digest.
    placeholder_untag(reg, name, tag).await?;
    Ok("placeholder manifest")
}

/// Deletes a manifest by digest on a plain registry.
pub async fn delete_plain(reg: &Registry, name: &str, digest: &str) -> Result<()> {
    let path = format!("/v2/{name}/manifests/{digest}");
    ok(reg.send(Req::new(Method::DELETE, &path)).await?, &path)
        .await
        .map_err(deletion_disabled)?;
    Ok(())
}

async fn placeholder_untag(reg: &Registry, name: &str, tag: &str) -> Result<()> {
    let empty = b"{}".to_vec();
    let empty_digest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
    let start = format!("/v2/{name}/blobs/uploads/");
    let res = ok(reg.send(Req::new(Method::POST, &start)).await?, &start).await?;
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let sep = if location.contains('?') { '&' } else { '?' };
    let put = format!("{location}{sep}digest={empty_digest}");
    let mut r = Req::new(Method::PUT, &put).header(CONTENT_TYPE, "application/octet-stream");
    r.body = Some(empty);
    ok(reg.send(r).await?, "placeholder blob").await?;
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": empty_digest, "size": 2},
        "layers": [],
        "annotations": {"io.berth.placeholder": uuid::Uuid::new_v4().to_string()},
    });
    let bytes = manifest.to_string().into_bytes();
    use sha2::Digest as _;
    let digest = format!("sha256:{}", hex::encode(sha2::Sha256::digest(&bytes)));
    let path = format!("/v2/{name}/manifests/{tag}");
    let mut r = Req::new(Method::PUT, &path)
        .header(CONTENT_TYPE, "application/vnd.oci.image.manifest.v1+json");
    r.body = Some(bytes);
    ok(reg.send(r).await?, "placeholder manifest").await?;
    let del = format!("/v2/{name}/manifests/{digest}");
    ok(reg.send(Req::new(Method::DELETE, &del)).await?, &del)
        .await
        .map_err(deletion_disabled)?;
    Ok(())
}

fn deletion_disabled(e: ClientError) -> ClientError {
    match e {
        ClientError::Unsupported(m) => ClientError::Unsupported(format!(
            "{m}; the registry has deletion disabled (distribution: storage.delete.enabled)"
        )),
        e => e,
    }
}

pub async fn v2_remove(reg: &Registry, name: &str, digest: &str, yes: bool) -> Result<Value> {
    if digest_of(reg, name, digest).await?.is_none() {
        return Err(ClientError::NotFound(format!("{name}: no image {digest}")));
    }
    let mut tags = vec![];
    for t in super::images::v2_tags(reg, name).await? {
        if digest_of(reg, name, &t).await?.as_deref() == Some(digest) {
            tags.push(t);
        }
    }
    confirm(
        &format!("Remove the image {name}@{digest}{}?", with_tags(&tags)),
        yes,
    )?;
    delete_plain(reg, name, digest).await?;
    Ok(
        json!({"reference": format!("{name}@{digest}"), "tags": tags,
              "message": format!("removed {name}@{digest}{}", with_tags(&tags))}),
    )
}

async fn remove_repository(r: &str, yes: bool) -> Result<Value> {
    let t = refs::parse(Some(r))?;
    if t.name.is_empty() || t.reference.is_some() {
        return Err(usage("--repository takes REGISTRY/NAME"));
    }
    let (reg, berth) = super::connect(&t.registry).await?;
    if !berth {
        return Err(ClientError::Unsupported(format!(
            "{}: the /v2/ API cannot remove a repository; remove its images (berth rm REPO@DIGEST) and run the registry's garbage collection",
            reg.host
        )));
    }
    let repo = berth_repo(&reg, &t.name).await?;
    let d = reg
        .get_json(&format!(
            "/pulp/api/v3/distributions/container/container/?base_path={}",
            urlencode(&t.name)
        ))
        .await?;
    let dist = d["results"][0]["pulp_href"]
        .as_str()
        .ok_or_else(|| ClientError::NotFound(format!("no distribution serves {}", t.name)))?
        .to_string();
    let imgs = super::images::berth_images(&reg, &repo).await?;
    let tags: usize = imgs.iter().map(|i| i.tags.len()).sum();
    confirm(
        &format!(
            "Remove the repository {} with its {} and {}?",
            t.name,
            output::count(imgs.len() as i64, "image", "images"),
            output::count(tags as i64, "tag", "tags")
        ),
        yes,
    )?;
    let task = reg.pulp_delete(&dist).await?;
    let href = task["task"].as_str().unwrap_or_default();
    reg.wait_task(href).await?;
    Ok(
        json!({"repository": t.name, "images": imgs.len(), "tags": tags, "task": href,
              "message": format!("removed repository {} ({}, {})", t.name,
                  output::count(imgs.len() as i64, "image", "images"),
                  output::count(tags as i64, "tag", "tags"))}),
    )
}
