//! berth's Pulp API through the registry client: paginated lists, POST and DELETE with their
//! JSON answers, and waiting for a task (with progress on a terminal and a bounded wait).
use super::error::{failed, Result};
use super::http::{json_of, Registry, Req, TASK_WAIT_SECS};
use reqwest::{Method, StatusCode};
use serde_json::Value;

impl Registry {
    /// Every item of a paginated Pulp list (following `next`).
    pub async fn pulp_list(&self, path: &str) -> Result<Vec<Value>> {
        let mut out = vec![];
        let mut next = Some(path.to_string());
        while let Some(p) = next {
            let page = self.get_json(&p).await?;
            if let Some(items) = page["results"].as_array() {
                out.extend(items.iter().cloned());
            }
            next = page["next"].as_str().map(|n| self.relative(n));
        }
        Ok(out)
    }

    /// An absolute URL of this server as a path (the server may see another host name).
    fn relative(&self, url: &str) -> String {
        match url
            .find("://")
            .and_then(|i| url[i + 3..].find('/').map(|j| i + 3 + j))
        {
            Some(at) => url[at..].to_string(),
            None => url.to_string(),
        }
    }

    /// POST a JSON body to the Pulp API; the answer's JSON.
    pub async fn pulp_post(&self, path: &str, body: &Value) -> Result<Value> {
        let res = self.send(Req::new(Method::POST, path).json(body)).await?;
        json_of(res, path).await
    }

    pub async fn pulp_delete(&self, path: &str) -> Result<Value> {
        let res = self.send(Req::new(Method::DELETE, path)).await?;
        if res.status() == StatusCode::NO_CONTENT {
            return Ok(Value::Null);
        }
        json_of(res, path).await
    }

    /// Waits until the task `href` is final; its JSON. A failed task is an error. A wait
    /// longer than a second shows the task's name, state and the time waited (on a terminal).
    pub async fn wait_task(&self, href: &str) -> Result<Value> {
        let start = std::time::Instant::now();
        let r = self.poll_task(href, start).await;
        if start.elapsed().as_millis() >= 1000 {
            super::output::progress_done();
        }
        r
    }

    async fn poll_task(&self, href: &str, start: std::time::Instant) -> Result<Value> {
        let path = self.relative(href);
        let mut delay = 100u64;
        loop {
            let t = self.get_json(&path).await?;
            let waited = start.elapsed().as_secs();
            if waited >= 1 {
                super::output::progress(&format!(
                    "{}: {} ({waited}s)",
                    t["name"].as_str().unwrap_or("task"),
                    t["state"].as_str().unwrap_or_default()
                ));
            }
            match t["state"].as_str().unwrap_or_default() {
                "completed" => return Ok(t),
                "failed" | "canceled" | "skipped" => {
                    return Err(failed(format!(
                        "task {href} {}: {}",
                        t["state"].as_str().unwrap_or_default(),
                        t["error"]["description"]
                            .as_str()
                            .unwrap_or("no reason given")
                    )))
                }
                _ => {}
            }
            if waited >= TASK_WAIT_SECS {
                return Err(failed(format!(
                    "task {href} is still {} after {waited}s; follow it with: berth tasks {} --wait {href}",
                    t["state"].as_str().unwrap_or_default(),
                    self.host
                )));
            }
            tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
            delay = (delay * 2).min(2_000);
        }
    }
}
