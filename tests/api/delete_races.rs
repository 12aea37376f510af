//! Deletes that race each other: a namespace delete and deletes of its distributions, running
//! at once on the task workers, all complete (no deadlock, no "database error"), and nothing of
//! the namespace is left.
use crate::common::oci::bytes;
use crate::common::TestApp;
use reqwest::Method;

#[tokio::test]
async fn a_namespace_delete_racing_deletes_of_its_distributions_completes_them_all() {
    let app = TestApp::spawn_with(|s| s.workers = 4).await;
    for round in 0..4u64 {
        let ns = format!("race{round}");
        for i in 0..6u64 {
            app.push_image(&format!("{ns}/app{i}"), "v1", &[bytes(round * 100 + i, 64)])
                .await;
        }
        let ns_href = app
            .api_one(&format!(
                "/pulp/api/v3/pulp_container/namespaces/?name={ns}"
            ))
            .await["pulp_href"]
            .as_str()
            .unwrap()
            .to_string();
        let dists = app
            .api_get(&format!(
                "/pulp/api/v3/distributions/container/container/?name__startswith={ns}/"
            ))
            .await;
        let mut hrefs: Vec<String> = dists["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["pulp_href"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(hrefs.len(), 6);
        // The namespace delete goes out in the middle of its distributions' deletes.
        hrefs.insert(3, ns_href.clone());
        let sent =
            futures::future::join_all(hrefs.iter().map(|h| app.api(Method::DELETE, h, None))).await;
        for (href, (s, v)) in hrefs.iter().zip(&sent) {
            // A distribution the namespace's task already removed is simply not found.
            if s.as_u16() == 404 && *href != ns_href {
                continue;
            }
            assert_eq!(s.as_u16(), 202, "{href}: {v}");
            let t = app.task_done(v["task"].as_str().unwrap()).await;
            assert_eq!(t["state"], "completed", "round {round}: {t}");
        }
        let (s, _) = app.api(Method::GET, &ns_href, None).await;
        assert_eq!(s.as_u16(), 404, "the namespace is gone");
        let left = app
            .api_get(&format!(
                "/pulp/api/v3/repositories/container/container-push/?name__startswith={ns}/"
            ))
            .await;
        assert_eq!(left["count"], 0, "{left}");
    }
    app.assert_tasks_settled().await;
}
