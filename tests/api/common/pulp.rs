//! Management-API helpers: admin-authenticated requests and waiting for tasks.
use super::TestApp;
use serde_json::Value;

pub const ADMIN: (&str, &str) = ("admin", "admin-password");

impl TestApp {
    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (reqwest::StatusCode, Value) {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            self.url(path)
        };
        let mut req = self
            .client
            .request(method, url)
            .basic_auth(ADMIN.0, Some(ADMIN.1));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn api_get(&self, path: &str) -> Value {
        let (s, v) = self.api(reqwest::Method::GET, path, None).await;
        assert_eq!(s, 200, "GET {path}: {v}");
        v
    }

    /// Polls a task until it reaches a final state and returns it.
    pub async fn task_done(&self, href: &str) -> Value {
        for _ in 0..500 {
            let t = self.api_get(href).await;
            if matches!(
                t["state"].as_str(),
                Some("completed" | "failed" | "canceled" | "skipped")
            ) {
                return t;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("task {href} did not finish");
    }

    /// Sends an asynchronous request, asserts 202 `{"task": …}`, waits, asserts it completed.
    pub async fn api_task(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let (s, v) = self.api(method, path, body).await;
        assert_eq!(s, 202, "{path}: {v}");
        assert_eq!(
            v.as_object().map(|o| o.len()),
            Some(1),
            "only a task href: {v}"
        );
        let t = self.task_done(v["task"].as_str().unwrap()).await;
        assert_eq!(t["state"], "completed", "{t}");
        t
    }

    /// Makes the distribution named `name` private (a task, waited for); returns its href.
    pub async fn make_private(&self, name: &str) -> String {
        let dist = self
            .api_one(&format!(
                "/pulp/api/v3/distributions/container/container/?name={name}"
            ))
            .await;
        let href = dist["pulp_href"].as_str().unwrap().to_string();
        self.api_task(
            reqwest::Method::PATCH,
            &href,
            Some(serde_json::json!({"private": true})),
        )
        .await;
        href
    }

    /// The single result of a filtered list.
    pub async fn api_one(&self, path: &str) -> Value {
        let v = self.api_get(path).await;
        assert_eq!(v["count"], 1, "{path}: {v}");
        v["results"][0].clone()
    }

    /// Creates a plain user straight in the database.
    pub async fn create_user(&self, name: &str, password: &str) {
        let db = berth::repo::Db::connect(&self.settings.database_url)
            .await
            .unwrap();
        let hash = berth::service::auth::hash_password(password).unwrap();
        berth::repo::users::insert(&db.conn, name, &hash, false)
            .await
            .unwrap();
    }
}

impl TestApp {
    /// Assigns `role` to `user`, on the namespace, distribution or plain repository `object` (a
    /// `pulp_href`) or globally, straight in the database.
    pub async fn grant_role(&self, user: &str, role: &str, object: Option<&str>) {
        let db = berth::repo::Db::connect(&self.settings.database_url)
            .await
            .unwrap();
        let u = berth::repo::users::by_username(&db.conn, user)
            .await
            .unwrap()
            .unwrap();
        let r = berth::repo::roles::by_name(&db.conn, role)
            .await
            .unwrap()
            .unwrap();
        let obj = object.map(|href| {
            let kind = if href.contains("/namespaces/") {
                "namespace"
            } else if href.contains("/repositories/container/container/") {
                "repository"
            } else {
                "distribution"
            };
            let id = href.trim_end_matches('/').rsplit('/').next().unwrap();
            (kind, uuid::Uuid::parse_str(id).unwrap())
        });
        berth::repo::roles::assign(&db.conn, u.id, r.id, obj)
            .await
            .unwrap();
    }

    /// A request as `user` (password `pw-<user>`), or anonymous when `user` is empty; returns
    /// the status and the JSON body (or text).
    pub async fn call_as(
        &self,
        user: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (reqwest::StatusCode, Value) {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            self.url(path)
        };
        let mut req = self.client.request(method, url);
        if !user.is_empty() {
            let pw = if user == ADMIN.0 {
                ADMIN.1.to_string()
            } else {
                format!("pw-{user}")
            };
            req = req.basic_auth(user, Some(pw));
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}
