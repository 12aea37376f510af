//! A tiny browser for the web UI tests: keeps cookies, never follows redirects (tests look at
//! `Location`), posts forms, and reads the CSRF token out of a page.
use super::TestApp;
use reqwest::StatusCode;
use std::collections::BTreeMap;
use std::sync::Mutex;

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Page {
    /// The task this answer redirected to (`303` to `/ui/tasks/<id>/`), once finished and
    /// completed.
    pub async fn completed_task(&self, app: &TestApp) -> serde_json::Value {
        assert_eq!(self.status, StatusCode::SEE_OTHER, "{}", self.body);
        let loc = self.location.clone().unwrap();
        assert!(loc.starts_with("/ui/tasks/"), "{loc}");
        let id = loc.trim_start_matches("/ui/tasks/").trim_end_matches('/');
        let t = app.task_done(&format!("/pulp/api/v3/tasks/{id}/")).await;
        assert_eq!(t["state"], "completed", "{t}");
        t
    }

    /// The first `name="csrf"` value of the page.
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a csrf field");
        let rest = &self.body[at + "name=\"csrf\" value=\"".len()..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

pub struct Browser<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    pub cookies: Mutex<BTreeMap<String, String>>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Mutex::new(BTreeMap::new()),
        }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Page {
        let cookie = self
            .cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = if cookie.is_empty() {
            req
        } else {
            req.header("Cookie", cookie)
        };
        let res = req.send().await.unwrap();
        let status = res.status();
        let location = res
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        let set_cookies: Vec<String> = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        for c in &set_cookies {
            let (kv, _) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = kv.split_once('=').unwrap();
            let mut jar = self.cookies.lock().unwrap();
            if v.is_empty() || c.contains("Max-Age=0") {
                jar.remove(k);
            } else {
                jar.insert(k.to_string(), v.to_string());
            }
        }
        let body = res.text().await.unwrap();
        Page {
            status,
            location,
            set_cookies,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        self.send(self.client.get(self.app.url(path))).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        self.send(self.client.post(self.app.url(path)).form(form))
            .await
    }

    /// Signs in through the form; returns the answer to the POST.
    pub async fn sign_in(&self, user: &str, password: &str) -> Page {
        let form = self.get("/ui/signin").await;
        let token = form.csrf();
        self.post(
            "/ui/signin",
            &[("csrf", &token), ("username", user), ("password", password)],
        )
        .await
    }
}
