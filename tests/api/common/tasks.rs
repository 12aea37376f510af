//! Tasks must settle: a test that leaves a task failed, canceled or unfinished fails (as
//! crates.io's test app does with its job queue). `TestApp`'s drop fails a test that left a
//! task failed, canceled or skipped; a test that dispatches tasks without waiting for them
//! calls [`TestApp::assert_tasks_settled`] at its end (which waits, then also fails on tasks
//! still unfinished), and a test that means to leave a task failed,
//! canceled or waiting says so with [`TestApp::expect_unsettled_tasks`].
use super::TestApp;
use sea_orm::{ConnectionTrait, Statement};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// The tasks of the database at `url` that are not `completed`: `name state error` lines.
async fn unsettled(url: &str) -> Vec<String> {
    let db = sea_orm::Database::connect(url)
        .await
        .expect("connect for the task check");
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT name, state, error FROM tasks WHERE state <> 'completed' ORDER BY created_at",
        ))
        .await
        .expect("read the tasks");
    db.close().await.ok();
    rows.iter()
        .map(|r| {
            let name: String = r.try_get("", "name").unwrap_or_default();
            let state: String = r.try_get("", "state").unwrap_or_default();
            let error: Option<String> = r.try_get("", "error").unwrap_or_default();
            format!("{name} {state} {}", error.unwrap_or_default())
        })
        .collect()
}

fn is_final(line: &str) -> bool {
    ["failed", "canceled", "skipped"]
        .iter()
        .any(|s| line.split(' ').nth(1) == Some(s))
}

impl TestApp {
    /// Says this test leaves a task failed, canceled or unfinished on purpose.
    pub fn expect_unsettled_tasks(&self) {
        self.unsettled_tasks_expected.store(true, Ordering::Relaxed);
    }

    /// Waits until no task is waiting or running, then fails the test if any task did not
    /// complete (unless [`TestApp::expect_unsettled_tasks`] was called).
    pub async fn assert_tasks_settled(&self) {
        let mut left = vec![];
        for _ in 0..500 {
            left = unsettled(&self.settings.database_url).await;
            if left.iter().all(|l| is_final(l)) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if !self.unsettled_tasks_expected.load(Ordering::Relaxed) {
            assert!(
                left.is_empty(),
                "tasks left failed or unfinished: {left:#?}"
            );
        }
    }

    /// The check `Drop` runs: tasks that ended failed, canceled or skipped fail the test. It
    /// cannot wait (the test's runtime, which runs the tasks, is blocked while a value drops),
    /// so tasks still waiting or running are not judged here: on a loaded machine a task a test
    /// did not wait for may simply not have run yet. Tests whose tasks must finish call
    /// [`TestApp::assert_tasks_settled`], which waits.
    pub(super) fn check_tasks_on_drop(&self) {
        if std::thread::panicking() || self.unsettled_tasks_expected.load(Ordering::Relaxed) {
            return;
        }
        let url = self.settings.database_url.clone();
        let left = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the task check")
                .block_on(unsettled(&url))
        })
        .join()
        .expect("the task check");
        let left: Vec<String> = left.into_iter().filter(|l| is_final(l)).collect();
        assert!(
            left.is_empty(),
            "the test left tasks failed or unfinished (wait for them with \
             `app.assert_tasks_settled().await`, or call `app.expect_unsettled_tasks()` if it \
             means to): {left:#?}"
        );
    }
}
