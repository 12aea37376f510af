//! What a repository holds, as the commands show it: images (a manifest or index with its
//! tags), each with size, push and creation dates and platforms. On berth it comes from the
//! Pulp API (the latest version's tags, manifests and blobs, three paged lists, and each image
//! config from `/v2/` for its `created`, eight at a time); on any other registry from `/v2/`
//! (tag list, one manifest per tag, the image config for dates and platforms). An image's size
//! is one definition everywhere (and the server's retention preview's): config + layers.
use super::error::{ClientError, Result};
use super::http::{Registry, Req};
use super::output::{parse_date, Progress};
use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use reqwest::Method;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One image of a repository: a manifest (or index) and the tags that point at it.
#[derive(Debug, Clone, Serialize)]
pub struct Image {
    pub digest: String,
    pub tags: Vec<String>,
    pub media_type: String,
    /// Bytes of its config and layers (an index: of its images).
    pub size: i64,
    /// When its newest tag was pushed (berth only).
    pub pushed: Option<DateTime<Utc>>,
    /// The image config's `created`.
    pub created: Option<DateTime<Utc>>,
    pub platforms: Vec<String>,
    /// Blob digests with sizes, to count shared layers once.
    #[serde(skip)]
    pub blobs: BTreeMap<String, i64>,
    /// berth: the config blobs' hrefs (its own, or its children's for an index).
    #[serde(skip)]
    pub configs: Vec<String>,
}

/// A berth push repository as the Pulp API shows it.
pub struct BerthRepo {
    pub href: String,
    pub name: String,
    pub latest_version: String,
    pub stored_bytes: i64,
}

/// The push repository named `name` on berth.
pub async fn berth_repo(reg: &Registry, name: &str) -> Result<BerthRepo> {
    let path = format!(
        "/pulp/api/v3/repositories/container/container-push/?name={}",
        urlencode(name)
    );
    let list = reg.get_json(&path).await?;
    let r = list["results"]
        .as_array()
        .and_then(|a| a.first())
        .ok_or_else(|| ClientError::NotFound(format!("no repository '{name}' on {}", reg.host)))?;
    Ok(berth_repo_of(r))
}

pub fn berth_repo_of(r: &Value) -> BerthRepo {
    let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
    BerthRepo {
        href: s("pulp_href"),
        name: s("name"),
        latest_version: s("latest_version_href"),
        stored_bytes: r["stored_bytes"].as_i64().unwrap_or(0),
    }
}

pub fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The images of a berth repository's latest version (untagged top-level manifests too).
pub async fn berth_images(reg: &Registry, repo: &BerthRepo) -> Result<Vec<Image>> {
    let v = urlencode(&repo.latest_version);
    let tags = reg
        .pulp_list(&format!(
            "/pulp/api/v3/content/container/tags/?repository_version={v}&limit=1000"
        ))
        .await?;
    let manifests = reg
        .pulp_list(&format!(
            "/pulp/api/v3/content/container/manifests/?repository_version={v}&limit=1000"
        ))
        .await?;
    let by_href: HashMap<&str, &Value> = manifests
        .iter()
        .filter_map(|m| Some((m["pulp_href"].as_str()?, m)))
        .collect();
    let listed: BTreeSet<&str> = manifests
        .iter()
        .flat_map(|m| m["listed_manifests"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    let mut images: BTreeMap<String, Image> = BTreeMap::new();
    for m in &manifests {
        let href = m["pulp_href"].as_str().unwrap_or_default();
        if listed.contains(href) {
            continue;
        }
        images.insert(href.to_string(), berth_image(m, &by_href));
    }
    for t in &tags {
        let target = t["tagged_manifest"].as_str().unwrap_or_default();
        let img = match images.get_mut(target) {
            Some(i) => i,
            // A tag on a child of an index: its own image.
            None => match by_href.get(target) {
                Some(m) => images
                    .entry(target.to_string())
                    .or_insert_with(|| berth_image(m, &by_href)),
                None => continue,
            },
        };
        img.tags
            .push(t["name"].as_str().unwrap_or_default().to_string());
        let pushed = parse_date(t["pulp_created"].as_str());
        img.pushed = img.pushed.max(pushed);
    }
    let mut out: Vec<Image> = images.into_values().collect();
    for i in &mut out {
        i.tags.sort();
    }
    berth_configs(reg, repo, &mut out).await?;
    Ok(out)
}

/// A config's length in bytes and its `created`.
type ConfigFacts = (i64, Option<DateTime<Utc>>);

/// Reads each image's config through `/v2/` (8 at a time): its `created`, and its bytes,
/// which the Pulp API's `compressed_image_size` (layers only) leaves out.
async fn berth_configs(reg: &Registry, repo: &BerthRepo, imgs: &mut [Image]) -> Result<()> {
    let v = urlencode(&repo.latest_version);
    let wanted: BTreeSet<&str> = imgs
        .iter()
        .flat_map(|i| i.configs.iter().map(String::as_str))
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let blobs = reg
        .pulp_list(&format!(
            "/pulp/api/v3/content/container/blobs/?repository_version={v}&limit=1000"
        ))
        .await?;
    let digests: Vec<(String, String)> = blobs
        .iter()
        .filter_map(|b| {
            let href = b["pulp_href"].as_str().filter(|h| wanted.contains(h))?;
            Some((href.to_string(), b["digest"].as_str()?.to_string()))
        })
        .collect();
    let bar = std::sync::Mutex::new(Progress::new(
        &format!("{}: image configs", repo.name),
        digests.len(),
    ));
    let name = repo.name.as_str();
    let read: Vec<(String, ConfigFacts)> =
        futures::stream::iter(digests.iter().map(|(href, digest)| {
            let bar = &bar;
            async move {
                let path = format!("/v2/{name}/blobs/{digest}");
                let res =
                    super::http::ok(reg.send(Req::new(Method::GET, &path)).await?, &path).await?;
                let body = res
                    .bytes()
                    .await
                    .map_err(|e| super::error::failed(format!("{path}: {e}")))?;
                let created = serde_json::from_slice::<Value>(&body)
                    .ok()
                    .and_then(|c| parse_date(c["created"].as_str()));
                if let Ok(mut b) = bar.lock() {
                    b.step(digest);
                }
                Ok::<_, ClientError>((href.clone(), (body.len() as i64, created)))
            }
        }))
        .buffer_unordered(8)
        .try_collect()
        .await?;
    let by_href: HashMap<String, ConfigFacts> = read.into_iter().collect();
    for i in imgs {
        for c in &i.configs {
            if let Some((len, created)) = by_href.get(c) {
                i.size += len;
                i.created = i.created.max(*created);
            }
        }
    }
    Ok(())
}

fn berth_image(m: &Value, by_href: &HashMap<&str, &Value>) -> Image {
    let platform = |m: &Value| match (m["os"].as_str(), m["architecture"].as_str()) {
        (Some(os), Some(arch)) if !os.is_empty() => Some(format!("{os}/{arch}")),
        _ => None,
    };
    let children: Vec<&Value> = m["listed_manifests"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| by_href.get(h.as_str()?).copied())
        .collect();
    let own = m["compressed_image_size"].as_i64().unwrap_or(0);
    let mut blobs = BTreeMap::new();
    for x in std::iter::once(m).chain(children.iter().copied()) {
        for b in x["blobs"].as_array().into_iter().flatten() {
            blobs.insert(b.as_str().unwrap_or_default().to_string(), 0);
        }
    }
    let configs = std::iter::once(m)
        .chain(children.iter().copied())
        .filter_map(|x| x["config_blob"].as_str().map(str::to_string))
        .collect();
    let (size, platforms) = if children.is_empty() {
        (own, platform(m).into_iter().collect())
    } else {
        let size = children
            .iter()
            .map(|c| c["compressed_image_size"].as_i64().unwrap_or(0))
            .sum();
        (size, children.iter().filter_map(|c| platform(c)).collect())
    };
    Image {
        digest: m["digest"].as_str().unwrap_or_default().to_string(),
        tags: vec![],
        media_type: m["media_type"].as_str().unwrap_or_default().to_string(),
        size,
        pushed: None,
        created: None,
        platforms,
        blobs,
        configs,
    }
}

/// Every item of a `/v2/` list (`key` of each page), following `Link: <…>; rel="next"`.
async fn v2_paged(reg: &Registry, first: &str, key: &str) -> Result<Vec<String>> {
    let mut out = vec![];
    let mut next = Some(first.to_string());
    while let Some(path) = next {
        let res = reg
            .send(super::http::Req::new(reqwest::Method::GET, &path))
            .await?;
        let link = res
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let v = super::http::json_of(res, &path).await?;
        out.extend(
            v[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str().map(str::to_string)),
        );
        next = link
            .split_once('<')
            .and_then(|(_, rest)| rest.split_once('>'))
            .filter(|(_, rel)| rel.contains("next"))
            .map(|(url, _)| url.to_string());
    }
    Ok(out)
}

/// Every repository of a plain registry (`/v2/_catalog`).
pub async fn v2_catalog(reg: &Registry) -> Result<Vec<String>> {
    v2_paged(reg, "/v2/_catalog?n=1000", "repositories").await
}

/// Every tag of a repository on a plain registry (`/v2/<name>/tags/list`).
pub async fn v2_tags(reg: &Registry, name: &str) -> Result<Vec<String>> {
    let mut tags = match v2_paged(reg, &format!("/v2/{name}/tags/list?n=1000"), "tags").await {
        Err(ClientError::NotFound(_)) => {
            return Err(ClientError::NotFound(format!(
                "no repository '{name}' on {}",
                reg.host
            )))
        }
        r => r?,
    };
    tags.sort();
    Ok(tags)
}

/// The images of a repository on a plain registry, grouped by digest.
pub async fn v2_images(reg: &Registry, name: &str) -> Result<Vec<Image>> {
    let tags = v2_tags(reg, name).await?;
    let mut by_digest: BTreeMap<String, Image> = BTreeMap::new();
    let mut bar = Progress::new(&format!("{name}: tags"), tags.len());
    for tag in &tags {
        bar.step(tag);
        let (m, digest, media) = match reg.manifest(name, tag).await {
            Ok(x) => x,
            Err(ClientError::NotFound(_)) => continue,
            Err(e) => return Err(e),
        };
        if let Some(img) = by_digest.get_mut(&digest) {
            img.tags.push(tag.clone());
            continue;
        }
        let mut img = v2_image(reg, name, &m, &digest, &media).await?;
        img.tags.push(tag.clone());
        by_digest.insert(digest, img);
    }
    drop(bar);
    Ok(by_digest.into_values().collect())
}

/// Size, platforms and creation date of one manifest (an index: of its images).
pub async fn v2_image(
    reg: &Registry,
    name: &str,
    m: &Value,
    digest: &str,
    media: &str,
) -> Result<Image> {
    let mut img = Image {
        digest: digest.to_string(),
        tags: vec![],
        media_type: media.to_string(),
        size: 0,
        pushed: None,
        created: None,
        platforms: vec![],
        blobs: BTreeMap::new(),
        configs: vec![],
    };
    let children: Vec<String> = m["manifests"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["digest"].as_str().map(str::to_string))
        .collect();
    let singles = if children.is_empty() {
        vec![m.clone()]
    } else {
        let mut v = vec![];
        for c in &children {
            v.push(reg.manifest(name, c).await?.0);
        }
        v
    };
    for s in &singles {
        let mut blob = |d: &Value| {
            if let (Some(dg), Some(sz)) = (d["digest"].as_str(), d["size"].as_i64()) {
                img.blobs.insert(dg.to_string(), sz);
            }
        };
        blob(&s["config"]);
        for l in s["layers"].as_array().into_iter().flatten() {
            blob(l);
        }
        if let Some(cfg) = s["config"]["digest"].as_str() {
            if let Ok(c) = reg.get_json(&format!("/v2/{name}/blobs/{cfg}")).await {
                img.created = img.created.max(parse_date(c["created"].as_str()));
                if let (Some(os), Some(arch)) = (c["os"].as_str(), c["architecture"].as_str()) {
                    img.platforms.push(format!("{os}/{arch}"));
                }
            }
        }
    }
    img.size = img.blobs.values().sum();
    Ok(img)
}
